import CashewEncoding
import CashewSQLite
import CashuCrypto
import CashuMint
import CashuProtocol
import SQLiteNIO

extension SQLiteMintStore: LiabilityLedger {
    public func lastLiabilityEpoch() async throws -> LiabilityEpochRecord? {
        try await read { db in
            guard let n = try await db.query("SELECT max(epoch) AS n FROM liability_epochs").first?.optionalUInt("n") else { return nil }
            return try await Self.liabilityEpoch(n, db)
        }
    }

    public func lastLiabilityEpochClose() async throws -> UInt64? {
        try await read { db in
            try await db.query("SELECT closed_at FROM liability_epochs ORDER BY epoch DESC LIMIT 1").first?.uint("closed_at")
        }
    }

    public func liabilityEpoch(_ epoch: UInt64) async throws -> LiabilityEpochRecord? {
        try await read { db in try await Self.liabilityEpoch(epoch, db) }
    }

    static func liabilityEpoch(_ epoch: UInt64, _ db: SQLiteConnection) async throws -> LiabilityEpochRecord? {
        guard let e = try await db.query("SELECT * FROM liability_epochs WHERE epoch = ?", [.uint(epoch)]).first else { return nil }
        let keysets = try await db.query("SELECT * FROM liability_keysets WHERE epoch = ? ORDER BY unit, keyset_id", [.uint(epoch)]).map { r in
            LiabilityEpochRecord.Keyset(
                keyset: LiabilityCommitment.Keyset(
                    id: try r.text("keyset_id"), unit: try r.text("unit"), issuedSize: try r.uint("issued_size"),
                    issuedRoot: .init(hash: try hash(r, "issued_hash"), sum: try r.uint("issued_sum")), spentSize: try r.uint("spent_size"),
                    spentRoot: .init(hash: try hash(r, "spent_hash"), sum: try r.uint("spent_sum")), active: try r.uint("active") == 1,
                    deactivationEpoch: try r.uint("deactivation_epoch")),
                issuedPeaks: try LiabilityEpochRecord.Keyset.decode(try r.text("issued_peaks")),
                spentPeaks: try LiabilityEpochRecord.Keyset.decode(try r.text("spent_peaks")), signature: try r.text("signature"))
        }
        return LiabilityEpochRecord(
            epoch: epoch, throughEpoch: try e.uint("through_epoch"), closedAt: try e.uint("closed_at"), previous: try hash(e, "previous"),
            globalDigest: try hash(e, "global_digest"), keysetRoot: try hash(e, "keyset_root"), keysets: keysets)
    }

    static func hash(_ r: SQLiteRow, _ column: String) throws -> [UInt8] {
        guard let bytes = Hex.decode(try r.text(column)), bytes.count == 32 else { throw MintStoreError(.unavailable, "column \(column) is not a hash") }
        return bytes
    }

    public func lastLedgerEpoch() async throws -> UInt64 {
        try await read { db in try await db.query("SELECT max(number) AS n FROM epochs").first?.optionalUInt("n") ?? 0 }
    }

    public func liabilityLeaves(keyset: String, tree: LiabilityTree, after: UInt64, through: UInt64) async throws -> [LiabilityLeafRow] {
        try await read { db in try await Self.liabilityLeaves(keyset: keyset, tree: tree, after: after, through: through, db) }
    }

    /// Every liabilities epoch, ascending.
    static func liabilityEpochs(_ db: SQLiteConnection) async throws -> [LiabilityEpochRecord] {
        var records = [LiabilityEpochRecord]()
        for r in try await db.query("SELECT epoch FROM liability_epochs ORDER BY epoch") {
            if let record = try await liabilityEpoch(try r.uint("epoch"), db) { records.append(record) }
        }
        return records
    }

    static func liabilityLeaves(keyset: String, tree: LiabilityTree, after: UInt64, through: UInt64, _ db: SQLiteConnection) async throws -> [LiabilityLeafRow] {
        let sql = switch tree {
        case .issued:
            """
            SELECT b.b AS point, b.amount FROM blind_signatures b JOIN operations o ON o.id = b.operation_id
            WHERE b.keyset_id = ? AND o.epoch > ? AND o.epoch <= ?
            ORDER BY o.epoch, o.id, b.position IS NULL, b.position, b.b
            """
        case .spent:
            """
            SELECT p.y AS point, p.amount FROM proofs p JOIN operations o ON o.id = p.operation_id
            WHERE p.keyset_id = ? AND o.epoch > ? AND o.epoch <= ?
            ORDER BY o.epoch, o.id, p.position IS NULL, p.position, p.y
            """
        }
        return try await db.query(sql, [.text(keyset), .uint(after), .uint(through)]).map { r in
            LiabilityLeafRow(point: try r.text("point"), amount: try r.amount("amount"))
        }
    }

    public func recordLiabilityEpoch(_ record: LiabilityEpochRecord) async throws -> Bool {
        try await transaction { db in
            guard try await db.query("SELECT 1 FROM liability_epochs WHERE epoch = ?", [.uint(record.epoch)]).isEmpty else { return false }
            _ = try await db.query(
                "INSERT INTO liability_epochs (epoch, through_epoch, closed_at, previous, global_digest, keyset_root) VALUES (?, ?, ?, ?, ?, ?)",
                [.uint(record.epoch), .uint(record.throughEpoch), .uint(record.closedAt), .text(Hex.encode(record.previous)),
                 .text(Hex.encode(record.globalDigest)), .text(Hex.encode(record.keysetRoot))])
            for k in record.keysets {
                let s = k.keyset
                _ = try await db.query(
                    """
                    INSERT INTO liability_keysets (epoch, keyset_id, unit, issued_size, issued_hash, issued_sum, issued_peaks, spent_size, spent_hash,
                        spent_sum, spent_peaks, active, deactivation_epoch, signature)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [.uint(record.epoch), .text(s.id), .text(s.unit), .uint(s.issuedSize), .text(Hex.encode(s.issuedRoot.hash)), .uint(s.issuedRoot.sum),
                     .text(LiabilityEpochRecord.Keyset.encode(k.issuedPeaks)), .uint(s.spentSize), .text(Hex.encode(s.spentRoot.hash)),
                     .uint(s.spentRoot.sum), .text(LiabilityEpochRecord.Keyset.encode(k.spentPeaks)), .integer(s.active ? 1 : 0),
                     .uint(s.deactivationEpoch), .text(k.signature)])
            }
            return true
        }
    }
}
