import CashewEncoding
import CashuCrypto
import CashuMint
import CashuProtocol
import PostgresNIO

extension PostgresMintStore: LiabilityLedger {
    static let liabilityKeysetColumns = """
        keyset_id, unit, issued_size, issued_hash, issued_sum::text AS issued_sum, issued_peaks, spent_size, spent_hash, spent_sum::text AS spent_sum,
        spent_peaks, active, deactivation_epoch, signature
        """

    public func lastLiabilityEpoch() async throws -> LiabilityEpochRecord? {
        let n = try await rows("SELECT coalesce(max(epoch), 0) AS n FROM liability_epochs").first?.nonNegative("n") ?? 0
        return n == 0 ? nil : try await liabilityEpoch(n)
    }

    public func lastLiabilityEpochClose() async throws -> UInt64? {
        try await rows("SELECT closed_at FROM liability_epochs ORDER BY epoch DESC LIMIT 1").first?.nonNegative("closed_at")
    }

    public func liabilityEpoch(_ epoch: UInt64) async throws -> LiabilityEpochRecord? {
        try await Self.liabilityEpoch(epoch) { try await rows($0) }
    }

    typealias Rows = (PostgresQuery) async throws -> [PostgresRandomAccessRow]

    /// Every liabilities epoch, ascending.
    static func liabilityEpochs(_ rows: Rows) async throws -> [LiabilityEpochRecord] {
        var records = [LiabilityEpochRecord]()
        for r in try await rows("SELECT epoch FROM liability_epochs ORDER BY epoch") {
            if let record = try await liabilityEpoch(try r.nonNegative("epoch"), rows) { records.append(record) }
        }
        return records
    }

    static func liabilityEpoch(_ epoch: UInt64, _ rows: Rows) async throws -> LiabilityEpochRecord? {
        guard let e = try await rows("SELECT * FROM liability_epochs WHERE epoch = \(Self.int(epoch))").first else { return nil }
        let keysets = try await rows(
            "SELECT \(unescaped: liabilityKeysetColumns) FROM liability_keysets WHERE epoch = \(Self.int(epoch)) ORDER BY unit, keyset_id"
        ).map { r in
            LiabilityEpochRecord.Keyset(
                keyset: LiabilityCommitment.Keyset(
                    id: try r.text("keyset_id"), unit: try r.text("unit"), issuedSize: try r.nonNegative("issued_size"),
                    issuedRoot: .init(hash: try hash(r, "issued_hash"), sum: try r.uint("issued_sum")), spentSize: try r.nonNegative("spent_size"),
                    spentRoot: .init(hash: try hash(r, "spent_hash"), sum: try r.uint("spent_sum")), active: try r["active"].decode(Bool.self),
                    deactivationEpoch: try r.nonNegative("deactivation_epoch")),
                issuedPeaks: try LiabilityEpochRecord.Keyset.decode(try r.text("issued_peaks")),
                spentPeaks: try LiabilityEpochRecord.Keyset.decode(try r.text("spent_peaks")), signature: try r.text("signature"))
        }
        return LiabilityEpochRecord(
            epoch: epoch, throughEpoch: try e.nonNegative("through_epoch"), closedAt: try e.nonNegative("closed_at"), previous: try hash(e, "previous"),
            globalDigest: try hash(e, "global_digest"), keysetRoot: try hash(e, "keyset_root"), keysets: keysets)
    }

    static func hash(_ r: PostgresRandomAccessRow, _ column: String) throws -> [UInt8] {
        guard let bytes = Hex.decode(try r.text(column)), bytes.count == 32 else { throw MintStoreError(.unavailable, "column \(column) is not a hash") }
        return bytes
    }

    public func lastLedgerEpoch() async throws -> UInt64 {
        try await rows("SELECT coalesce(max(number), 0) AS n FROM epochs").first?.nonNegative("n") ?? 0
    }

    public func liabilityLeaves(keyset: String, tree: LiabilityTree, after: UInt64, through: UInt64) async throws -> [LiabilityLeafRow] {
        try await Self.liabilityLeaves(keyset: keyset, tree: tree, after: after, through: through) { try await rows($0) }
    }

    static func liabilityLeaves(keyset: String, tree: LiabilityTree, after: UInt64, through: UInt64, _ rows: Rows) async throws -> [LiabilityLeafRow] {
        let query: PostgresQuery = switch tree {
        case .issued:
            """
            SELECT b.b AS point, b.amount::text AS amount FROM blind_signatures b JOIN operations o ON o.id = b.operation_id
            WHERE b.keyset_id = \(keyset) AND o.epoch > \(int(after)) AND o.epoch <= \(int(through))
            ORDER BY o.epoch, o.id, b.position NULLS LAST, b.b
            """
        case .spent:
            """
            SELECT p.y AS point, p.amount::text AS amount FROM proofs p JOIN operations o ON o.id = p.operation_id
            WHERE p.keyset_id = \(keyset) AND o.epoch > \(int(after)) AND o.epoch <= \(int(through))
            ORDER BY o.epoch, o.id, p.position NULLS LAST, p.y
            """
        }
        return try await rows(query).map { r in LiabilityLeafRow(point: try r.text("point"), amount: Amount(try r.uint("amount"))) }
    }

    public func recordLiabilityEpoch(_ record: LiabilityEpochRecord) async throws -> Bool {
        try await classified(inputs: []) {
            try await connections.transaction { session in
                // One writer at a time; a second closer of the same epoch finds it recorded and stands down.
                _ = try await session.rows("LOCK TABLE liability_epochs IN EXCLUSIVE MODE")
                guard try await session.rows("SELECT 1 FROM liability_epochs WHERE epoch = \(Self.int(record.epoch))").isEmpty else { return false }
                _ = try await session.rows(
                    """
                    INSERT INTO liability_epochs (epoch, through_epoch, closed_at, previous, global_digest, keyset_root)
                    VALUES (\(Self.int(record.epoch)), \(Self.int(record.throughEpoch)), \(Self.int(record.closedAt)), \(Hex.encode(record.previous)),
                            \(Hex.encode(record.globalDigest)), \(Hex.encode(record.keysetRoot)))
                    """)
                for k in record.keysets {
                    let s = k.keyset
                    _ = try await session.rows(
                        """
                        INSERT INTO liability_keysets (epoch, keyset_id, unit, issued_size, issued_hash, issued_sum, issued_peaks, spent_size, spent_hash,
                            spent_sum, spent_peaks, active, deactivation_epoch, signature)
                        VALUES (\(Self.int(record.epoch)), \(s.id), \(s.unit), \(Self.int(s.issuedSize)), \(Hex.encode(s.issuedRoot.hash)),
                                \(String(s.issuedRoot.sum))::numeric, \(LiabilityEpochRecord.Keyset.encode(k.issuedPeaks)), \(Self.int(s.spentSize)),
                                \(Hex.encode(s.spentRoot.hash)), \(String(s.spentRoot.sum))::numeric, \(LiabilityEpochRecord.Keyset.encode(k.spentPeaks)),
                                \(s.active), \(Self.int(s.deactivationEpoch)), \(k.signature))
                        """)
                }
                return true
            }
        }
    }
}
