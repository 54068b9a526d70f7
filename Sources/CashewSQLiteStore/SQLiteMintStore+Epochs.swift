import CashewEncoding
import CashewSQLite
import CashuMint
import CashuProtocol
import SQLiteNIO

extension SQLiteMintStore {
    public func closeEpoch(limit: Int, seal: @escaping @Sendable (EpochDraft) throws -> SealedEpoch) async throws -> SignedEpoch? {
        try await transaction { db in
            let last = try await db.query("SELECT number, commitment FROM epochs ORDER BY number DESC LIMIT 1").first
            let number = (try last?.uint("number") ?? 0) + 1
            let previous = try last?.text("commitment") ?? EpochManifest.genesis
            let rows = try await db.query(
                """
                SELECT o.id, o.kind, o.quote_id, o.unit, o.fee, o.created_at FROM operations o
                WHERE o.epoch IS NULL
                  AND (o.kind <> 'melt' OR EXISTS (SELECT 1 FROM melt_quotes q WHERE q.id = o.quote_id AND q.state = 'PAID'))
                ORDER BY o.id LIMIT ?
                """, [.integer(limit)])
            guard !rows.isEmpty else { return nil }
            var operations = [String: OperationDigest]()
            var order = [String]()
            for r in rows {
                let id = try r.text("id")
                order.append(id)
                operations[id] = OperationDigest(
                    id: id, kind: try r.text("kind"), unit: try r.text("unit"), quoteID: r.optionalText("quote_id"), fee: try r.uint("fee"),
                    createdAt: try r.uint("created_at"), inputs: [], outputs: [])
            }
            for chunk in order.chunks(of: 500) {
                let ids = chunk.map { SQLiteData.text($0) }
                for r in try await db.query("SELECT operation_id, y, amount, keyset_id FROM proofs WHERE operation_id IN (\(Self.list(chunk.count)))", ids) {
                    operations[try r.text("operation_id")]?.inputs.append(.init(y: try r.text("y"), amount: try r.uint("amount"), keysetID: try r.text("keyset_id")))
                }
                for r in try await db.query(
                    "SELECT operation_id, b, amount, keyset_id, c FROM blind_signatures WHERE operation_id IN (\(Self.list(chunk.count)))", ids)
                {
                    operations[try r.text("operation_id")]?.outputs.append(
                        .init(b: try r.text("b"), amount: try r.uint("amount"), keysetID: try r.text("keyset_id"), c: try r.text("c")))
                }
            }
            let draft = order.compactMap { operations[$0] }.map(EpochDraft.Operation.init)
            let sealed = try seal(EpochDraft(number: number, previous: previous, operations: draft))
            for op in draft {
                _ = try await db.query("UPDATE operations SET epoch = ?, digest = ? WHERE id = ?", [.uint(number), .text(Hex.encode(op.digest)), .text(op.id)])
            }
            let e = sealed.epoch
            _ = try await db.query(
                "INSERT INTO epochs (number, closed_at, operations, root, previous, commitment, signature, manifest) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [.uint(number), .uint(sealed.closedAt), .integer(order.count), .text(sealed.root), .text(previous), .text(e.commitment), .text(e.signature),
                 .text(e.manifest)])
            return e
        }
    }

    public func epochs(from number: UInt64, limit: Int) async throws -> [SignedEpoch] {
        try await read { db in
            try await db.query(
                "SELECT number, manifest, commitment, signature FROM epochs WHERE number >= ? ORDER BY number LIMIT ?", [.uint(number), .integer(limit)]
            ).map { r in
                SignedEpoch(epoch: try r.uint("number"), manifest: try r.text("manifest"), commitment: try r.text("commitment"), signature: try r.text("signature"))
            }
        }
    }
}
