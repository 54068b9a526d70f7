import CashewEncoding
import CashuMint
import CashuProtocol
import Foundation
import PostgresNIO

extension PostgresMintStore {
    /// The waiting operations with their digests and sums, assigned to epoch `$1`, in one statement: PostgreSQL builds
    /// each operation's canonical text (`OperationDigest`, byte for byte: inputs by `y`, outputs by `b`, in the
    /// columns' "C" collation, which is bytewise) and hashes it, so that only one short row per operation comes back.
    /// The auditor recomputes every digest from the rows in Swift, so the two definitions are held to each other.
    static let closeEpochSQL = """
        WITH picked AS (
            SELECT o.id FROM operations o
            WHERE o.epoch IS NULL
              AND (o.kind <> 'melt' OR EXISTS (SELECT 1 FROM melt_quotes q WHERE q.id = o.quote_id AND q.state = 'PAID'))
            ORDER BY o.id LIMIT $2
        ), digests AS (
            SELECT o.id, o.unit, o.fee::text AS fee, i.total::text AS inputs, s.total::text AS outputs,
                   encode(sha256(convert_to(
                       'cashew-operation-v1' || E'\\n' || o.id || E'\\n' || o.kind || E'\\n' || o.unit || E'\\n' || coalesce(o.quote_id, '') || E'\\n'
                       || o.fee::text || E'\\n' || o.created_at::text || E'\\n' || coalesce(i.lines, '') || coalesce(s.lines, ''), 'UTF8')), 'hex') AS digest
            FROM picked JOIN operations o ON o.id = picked.id
            LEFT JOIN LATERAL (
                SELECT string_agg('in ' || p.y || ' ' || p.amount::text || ' ' || p.keyset_id || E'\\n', '' ORDER BY p.y COLLATE "C") AS lines,
                       sum(p.amount) AS total
                FROM proofs p WHERE p.operation_id = o.id
            ) i ON true
            LEFT JOIN LATERAL (
                SELECT string_agg('out ' || b.b || ' ' || b.amount::text || ' ' || b.keyset_id || ' ' || b.c || E'\\n', '' ORDER BY b.b COLLATE "C") AS lines,
                       sum(b.amount) AS total
                FROM blind_signatures b WHERE b.operation_id = o.id
            ) s ON true
        ), assigned AS (
            UPDATE operations o SET epoch = $1, digest = d.digest FROM digests d WHERE o.id = d.id
        )
        SELECT id, unit, fee, inputs, outputs, digest FROM digests ORDER BY id
        """

    public func closeEpoch(limit: Int, seal: @escaping @Sendable (EpochDraft) throws -> SealedEpoch) async throws -> SignedEpoch? {
        try await classified(inputs: []) {
            try await connections.transaction { session in
                // One closer at a time; readers (the API, the auditor) and writers are not blocked.
                _ = try await session.rows("LOCK TABLE epochs IN EXCLUSIVE MODE")
                let last = try await session.rows("SELECT number, commitment FROM epochs ORDER BY number DESC LIMIT 1").first
                let number = UInt64(try last?.nonNegative("number") ?? 0) + 1
                let previous = try last?.text("commitment") ?? EpochManifest.genesis
                var binds = PostgresBindings(capacity: 2)
                binds.append(Int64(number))
                binds.append(Int64(limit))
                let rows = try await session.rows(PostgresQuery(unsafeSQL: Self.closeEpochSQL, binds: binds))
                guard !rows.isEmpty else { return nil }
                let operations = try rows.map { r in
                    EpochDraft.Operation(
                        id: try r.text("id"), unit: try r.text("unit"), fee: try r.uint("fee"), digest: Hex.decode(try r.text("digest")) ?? [],
                        inputs: try Self.uint128(r.optionalText("inputs") ?? "0"), outputs: try Self.uint128(r.optionalText("outputs") ?? "0"))
                }
                let sealed = try seal(EpochDraft(number: number, previous: previous, operations: operations))
                let e = sealed.epoch
                _ = try await session.rows(
                    """
                    INSERT INTO epochs (number, closed_at, operations, root, previous, commitment, signature, manifest)
                    VALUES (\(Int64(number)), \(Self.int(sealed.closedAt)), \(Int64(operations.count)), \(sealed.root), \(previous), \(e.commitment),
                            \(e.signature), \(e.manifest))
                    """)
                return e
            }
        }
    }

    public func epochs(from number: UInt64, limit: Int) async throws -> [SignedEpoch] {
        try await rows(
            "SELECT number, manifest, commitment, signature FROM epochs WHERE number >= \(Self.int(number)) ORDER BY number LIMIT \(Int64(limit))"
        ).map { r in
            SignedEpoch(epoch: try r.nonNegative("number"), manifest: try r.text("manifest"), commitment: try r.text("commitment"), signature: try r.text("signature"))
        }
    }
}
