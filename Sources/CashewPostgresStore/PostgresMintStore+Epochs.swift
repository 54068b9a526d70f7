import CashuMint
import CashuProtocol
import Foundation
import PostgresNIO

extension PostgresMintStore {
    public func closeEpoch(limit: Int, seal: @escaping @Sendable (EpochDraft) throws -> SealedEpoch) async throws -> SignedEpoch? {
        try await classified(inputs: []) {
            try await connections.transaction { session in
                // One closer at a time; readers (the API, the auditor) are not blocked.
                _ = try await session.rows("LOCK TABLE epochs IN EXCLUSIVE MODE")
                let last = try await session.rows("SELECT number, commitment FROM epochs ORDER BY number DESC LIMIT 1").first
                let number = UInt64(try last?.nonNegative("number") ?? 0) + 1
                let previous = try last?.text("commitment") ?? EpochManifest.genesis
                let rows = try await session.rows(
                    """
                    SELECT o.id, o.kind, o.quote_id, o.unit, o.fee::text AS fee, o.created_at FROM operations o
                    WHERE o.epoch IS NULL
                      AND (o.kind <> 'melt' OR EXISTS (SELECT 1 FROM melt_quotes q WHERE q.id = o.quote_id AND q.state = 'PAID'))
                    ORDER BY o.id LIMIT \(Int64(limit)) FOR UPDATE OF o
                    """)
                guard !rows.isEmpty else { return nil }
                var operations = [String: OperationDigest]()
                var order = [String]()
                for r in rows {
                    let id = try r.text("id")
                    order.append(id)
                    operations[id] = OperationDigest(
                        id: id, kind: try r.text("kind"), unit: try r.text("unit"), quoteID: try r.optionalText("quote_id"), fee: try r.uint("fee"),
                        createdAt: try r.nonNegative("created_at"), inputs: [], outputs: [])
                }
                for r in try await session.rows(
                    "SELECT operation_id, y, amount::text AS amount, keyset_id FROM proofs WHERE operation_id = ANY(\(order)::text[])")
                {
                    operations[try r.text("operation_id")]?.inputs.append(
                        .init(y: try r.text("y"), amount: try r.uint("amount"), keysetID: try r.text("keyset_id")))
                }
                for r in try await session.rows(
                    "SELECT operation_id, b, amount::text AS amount, keyset_id, c FROM blind_signatures WHERE operation_id = ANY(\(order)::text[])")
                {
                    operations[try r.text("operation_id")]?.outputs.append(
                        .init(b: try r.text("b"), amount: try r.uint("amount"), keysetID: try r.text("keyset_id"), c: try r.text("c")))
                }
                let sealed = try seal(EpochDraft(number: number, previous: previous, operations: order.compactMap { operations[$0] }))
                let digests = order.map { sealed.digests[$0] ?? "" }
                _ = try await session.rows(
                    """
                    UPDATE operations o SET epoch = \(Int64(number)), digest = d.digest
                    FROM unnest(\(order)::text[], \(digests)::text[]) AS d(id, digest) WHERE o.id = d.id
                    """)
                let e = sealed.epoch
                _ = try await session.rows(
                    """
                    INSERT INTO epochs (number, closed_at, operations, root, previous, commitment, signature, manifest)
                    VALUES (\(Int64(number)), \(Self.int(sealed.closedAt)), \(Int64(order.count)), \(sealed.root), \(previous), \(e.commitment),
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
