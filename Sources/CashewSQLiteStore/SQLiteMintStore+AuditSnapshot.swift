import CashewEncoding
import CashewSQLite
import CashuCrypto
import CashuMint
import CashuProtocol
import SQLiteNIO
import Synchronization

extension SQLiteMintStore: LedgerAuditing {
    /// One read transaction on the store's connection: every scan sees the same snapshot while a mint process keeps
    /// writing the file (WAL). Opened read-only (`open(path:logger:readOnly:)`), SQLite refuses any write.
    public func withAuditSnapshot<T: Sendable>(_ body: @escaping @Sendable (any LedgerAuditSnapshot) async throws -> T) async throws -> T {
        try await read { db in
            _ = try await db.query("BEGIN")
            do {
                let value = try await body(SQLiteAuditSnapshot(db: db))
                _ = try await db.query("COMMIT")
                return value
            } catch {
                _ = try? await db.query("ROLLBACK")
                throw error
            }
        }
    }
}

/// The auditor's snapshot on the SQLite connection. Scans page by key (`rowid` breaks ties within an operation).
struct SQLiteAuditSnapshot: LedgerAuditSnapshot {
    let db: SQLiteConnection
    static let pageSize = 2000

    func keysets() async throws -> [KeysetRecord] {
        try await db.query("SELECT * FROM keysets ORDER BY unit, derivation_index").map(SQLiteMintStore.keyset)
    }

    func liabilityEpochs() async throws -> [LiabilityEpochRecord] { try await SQLiteMintStore.liabilityEpochs(db) }

    func liabilityLeaves(keyset: String, tree: LiabilityTree, after: UInt64, through: UInt64) async throws -> [LiabilityLeafRow] {
        try await SQLiteMintStore.liabilityLeaves(keyset: keyset, tree: tree, after: after, through: through, db)
    }

    func amountCounts() async throws -> [AuditAmountCount] {
        var tally = AuditAmountCount.Tally()
        for row in try await db.query(
            """
            SELECT keyset_id, amount, 'issued' AS kind, COUNT(*) AS n FROM blind_signatures GROUP BY keyset_id, amount
            UNION ALL
            SELECT keyset_id, amount, state AS kind, COUNT(*) AS n FROM proofs GROUP BY keyset_id, amount, state
            """)
        {
            tally.record(
                keysetID: try row.text("keyset_id"), amount: String(try row.amount("amount").rawValue), kind: try row.text("kind"), count: try row.uint("n"))
        }
        return tally.all
    }

    func totals() async throws -> AuditTotals { try await SQLiteMintStore.auditTotals(db) }

    /// Pages of `select … WHERE <key> > cursor ORDER BY <key> LIMIT n`; `after` builds the condition and its
    /// binds from the last row's key, `key` reads it from a row.
    func pages<Row: Sendable>(
        first: String, next: String, key: @escaping @Sendable (SQLiteRow) throws -> [SQLiteData], row: @escaping @Sendable (SQLiteRow) throws -> Row
    ) -> AuditPages<Row> {
        let cursor = Mutex<[SQLiteData]?>(nil)
        let db = self.db
        return AuditPages {
            let after = cursor.withLock { $0 }
            let rows = try await db.query(after == nil ? first : next, (after ?? []) + [.integer(Self.pageSize)])
            if let last = rows.last { try cursor.withLock { $0 = try key(last) } }
            return try rows.map(row)
        }
    }

    @Sendable static func operation(_ row: SQLiteRow) throws -> AuditOperationRow {
        let id = try row.text("id")
        let record = AuditMalformedError.catching {
            guard let kind = OperationKind(rawValue: try row.text("kind")) else { throw AuditMalformedError("unknown kind") }
            return OperationRecord(
                id: id, kind: kind, quoteID: row.optionalText("quote_id"), unit: CurrencyUnit(try row.text("unit")), fee: try row.amount("fee"),
                createdAt: try row.uint("created_at"))
        }
        return AuditOperationRow(id: id, record: record, mintQuote: nil, meltQuote: nil, epoch: row.optionalUInt("epoch"), digest: row.optionalText("digest"))
    }

    /// Fills in the quotes of a page's operations, looked up by key in one query per table.
    static func withQuotes(_ rows: [AuditOperationRow], _ db: SQLiteConnection) async throws -> [AuditOperationRow] {
        var rows = rows
        let mintIDs = rows.compactMap { try? $0.record.get() }.filter { $0.kind == .mint }.compactMap(\.quoteID).flatMap(OperationRecord.batchQuotes)
        let meltIDs = rows.compactMap { try? $0.record.get() }.filter { $0.kind == .melt }.compactMap(\.quoteID)
        var mints = [String: Result<MintQuoteRecord, AuditMalformedError>](), melts = [String: Result<MeltQuoteRecord, AuditMalformedError>]()
        for chunk in Set(mintIDs).sorted().chunks(of: 500) {
            for row in try await db.query("SELECT * FROM mint_quotes WHERE id IN (\(SQLiteMintStore.list(chunk.count)))", chunk.map { .text($0) }) {
                mints[try row.text("id")] = AuditMalformedError.catching { try SQLiteMintStore.mintQuote(row) }
            }
        }
        for chunk in Set(meltIDs).sorted().chunks(of: 500) {
            for row in try await db.query("SELECT * FROM melt_quotes WHERE id IN (\(SQLiteMintStore.list(chunk.count)))", chunk.map { .text($0) }) {
                melts[try row.text("id")] = AuditMalformedError.catching { try SQLiteMintStore.meltQuote(row) }
            }
        }
        for i in rows.indices {
            guard let op = try? rows[i].record.get(), let quote = op.quoteID else { continue }
            if op.kind == .mint, quote.contains(",") {
                rows[i].batchMintQuotes = OperationRecord.batchQuotes(quote).map { mints[$0] }
            } else if op.kind == .mint {
                rows[i].mintQuote = mints[quote]
            }
            if op.kind == .melt { rows[i].meltQuote = melts[quote] }
        }
        return rows
    }

    func operations() async throws -> AuditPages<AuditOperationRow> {
        let page = pages(
            first: "SELECT * FROM operations ORDER BY id LIMIT ?", next: "SELECT * FROM operations WHERE id > ? ORDER BY id LIMIT ?",
            key: { [.text(try $0.text("id"))] }, row: Self.operation)
        let db = self.db
        return AuditPages { try await Self.withQuotes(try await page.next(), db) }
    }

    func operations(after epoch: UInt64) async throws -> AuditPages<AuditOperationRows> {
        let open = "(epoch IS NULL OR epoch > \(Int64(clamping: epoch)))"
        let page = pages(
            first: "SELECT * FROM operations WHERE \(open) ORDER BY id LIMIT ?", next: "SELECT * FROM operations WHERE \(open) AND id > ? ORDER BY id LIMIT ?",
            key: { [.text(try $0.text("id"))] }, row: Self.operation)
        let db = self.db
        return AuditPages {
            let ops = try await Self.withQuotes(try await page.next(), db)
            var proofs = [String: [AuditProofRow]](), signatures = [String: [AuditSignatureRow]]()
            for chunk in ops.map(\.id).chunks(of: 500) {
                let ids = chunk.map { SQLiteData.text($0) }
                for r in try await db.query("SELECT * FROM proofs WHERE operation_id IN (\(SQLiteMintStore.list(chunk.count)))", ids) {
                    let row = try Self.proof(r)
                    proofs[row.operationID, default: []].append(row)
                }
                for r in try await db.query("SELECT * FROM blind_signatures WHERE operation_id IN (\(SQLiteMintStore.list(chunk.count)))", ids) {
                    let row = try Self.signature(r)
                    signatures[row.operationID, default: []].append(row)
                }
            }
            return ops.map { AuditOperationRows(operation: $0, proofs: proofs[$0.id] ?? [], signatures: signatures[$0.id] ?? []) }
        }
    }

    @Sendable static func proof(_ row: SQLiteRow) throws -> AuditProofRow {
        let y = try row.text("y")
        let record = AuditMalformedError.catching {
            ProofRecord(
                y: y, amount: try row.amount("amount"), keysetID: try KeysetID(hex: row.text("keyset_id")), secret: try row.text("secret"),
                signature: try row.text("c"), witness: row.optionalText("witness"), position: row.optionalUInt("position").map { Int($0) })
        }
        return AuditProofRow(
            y: y, operationID: try row.text("operation_id"), record: record, state: try row.text("state") == "pending" ? .pending : .spent,
            meltQuoteID: row.optionalText("melt_quote_id"), createdAt: row.optionalUInt("created_at") ?? 0)
    }

    @Sendable static func signature(_ row: SQLiteRow) throws -> AuditSignatureRow {
        let b = try row.text("b")
        let record = AuditMalformedError.catching {
            SignatureRecord(
                blindedMessage: b, amount: try row.amount("amount"), keysetID: try KeysetID(hex: row.text("keyset_id")), signature: try row.text("c"),
                dleqE: try row.text("dleq_e"), dleqS: try row.text("dleq_s"), position: row.optionalUInt("position").map { Int($0) })
        }
        return AuditSignatureRow(b: b, operationID: try row.text("operation_id"), record: record, createdAt: row.optionalUInt("created_at") ?? 0)
    }

    func proofs() async throws -> AuditPages<AuditProofRow> {
        pages(
            first: "SELECT rowid AS r, * FROM proofs ORDER BY operation_id, rowid LIMIT ?",
            next: "SELECT rowid AS r, * FROM proofs WHERE (operation_id, rowid) > (?, ?) ORDER BY operation_id, rowid LIMIT ?",
            key: { [.text(try $0.text("operation_id")), .integer(Int(try $0.uint("r")))] }, row: Self.proof)
    }

    func signatures() async throws -> AuditPages<AuditSignatureRow> {
        pages(
            first: "SELECT rowid AS r, * FROM blind_signatures ORDER BY operation_id, rowid LIMIT ?",
            next: "SELECT rowid AS r, * FROM blind_signatures WHERE (operation_id, rowid) > (?, ?) ORDER BY operation_id, rowid LIMIT ?",
            key: { [.text(try $0.text("operation_id")), .integer(Int(try $0.uint("r")))] }, row: Self.signature)
    }

    func mintQuotes() async throws -> AuditPages<AuditMintQuoteRow> {
        let columns = """
            q.*, (SELECT COUNT(*) FROM operations o WHERE o.quote_id = q.id AND o.kind = 'mint')
                + (SELECT COUNT(*) FROM mint_batch_quotes b WHERE b.quote_id = q.id) AS operation_count,
            EXISTS (SELECT 1 FROM operations o WHERE o.quote_id = q.id AND o.id LIKE 'nutshell-import-%') AS imported
            """
        return pages(
            first: "SELECT \(columns) FROM mint_quotes q WHERE state IN ('PAID', 'ISSUED') ORDER BY id LIMIT ?",
            next: "SELECT \(columns) FROM mint_quotes q WHERE state IN ('PAID', 'ISSUED') AND id > ? ORDER BY id LIMIT ?",
            key: { [.text(try $0.text("id"))] }
        ) { row in
            AuditMintQuoteRow(
                id: try row.text("id"), record: AuditMalformedError.catching { try SQLiteMintStore.mintQuote(row) },
                operations: Int(try row.uint("operation_count")), imported: try row.uint("imported") == 1)
        }
    }

    func epochs() async throws -> [AuditEpochRow] {
        try await db.query("SELECT * FROM epochs ORDER BY number").map { r in
            AuditEpochRow(
                epoch: SignedEpoch(epoch: try r.uint("number"), manifest: try r.text("manifest"), commitment: try r.text("commitment"), signature: try r.text("signature")),
                closedAt: try r.uint("closed_at"), operations: try r.uint("operations"), root: try r.text("root"), previous: try r.text("previous"))
        }
    }

    func meltQuotes() async throws -> AuditPages<AuditMeltQuoteRow> {
        let columns = """
            q.*, (SELECT COUNT(*) FROM operations o WHERE o.quote_id = q.id AND o.kind = 'melt') AS operation_count,
            (SELECT COUNT(*) FROM proofs p WHERE p.melt_quote_id = q.id) AS pending_proofs,
            EXISTS (SELECT 1 FROM operations o WHERE o.quote_id = q.id AND o.id LIKE 'nutshell-import-%') AS imported
            """
        return pages(
            first: "SELECT \(columns) FROM melt_quotes q WHERE state IN ('PENDING', 'PAID') ORDER BY id LIMIT ?",
            next: "SELECT \(columns) FROM melt_quotes q WHERE state IN ('PENDING', 'PAID') AND id > ? ORDER BY id LIMIT ?",
            key: { [.text(try $0.text("id"))] }
        ) { row in
            AuditMeltQuoteRow(
                id: try row.text("id"), record: AuditMalformedError.catching { try SQLiteMintStore.meltQuote(row) },
                operations: Int(try row.uint("operation_count")), pendingProofs: Int(try row.uint("pending_proofs")), imported: try row.uint("imported") == 1)
        }
    }
}
