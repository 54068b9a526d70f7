import CashuCrypto
import CashuMint
import CashuProtocol
import Foundation
import PostgresNIO

extension PostgresMintStore: LedgerAuditing {
    /// One `REPEATABLE READ, READ ONLY` transaction on one connection: every scan sees the same snapshot, and the
    /// auditor needs nothing but SELECT (it runs on a streaming replica too). Scans are server-side cursors.
    public func withAuditSnapshot<T: Sendable>(_ body: @escaping @Sendable (any LedgerAuditSnapshot) async throws -> T) async throws -> T {
        do {
            return try await connections.transaction { session in
                _ = try await session.rows("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                return try await body(PostgresAuditSnapshot(session: session))
            }
        } catch let error as MintStoreError {
            throw error
        } catch let error as PSQLError {
            throw MintStoreError(.unavailable, "audit query failed: \(Self.serverError(error).map { "PostgreSQL error \($0.state)" } ?? "connection failed")")
        }
    }

    /// `columns` (a list like `mintQuoteColumns`) read from the table aliased `alias`, each renamed `<alias>_<name>`.
    static func prefixed(_ columns: String, alias: String) -> String {
        columns.split(separator: ",").map { item in
            let item = item.trimmingCharacters(in: .whitespacesAndNewlines)
            let parts = item.components(separatedBy: " AS ")
            let expression = parts[0], name = parts.count > 1 ? parts[1] : parts[0]
            return "\(alias).\(expression) AS \(alias)_\(name)"
        }.joined(separator: ", ")
    }
}

/// The auditor's snapshot on one PostgreSQL session.
struct PostgresAuditSnapshot: LedgerAuditSnapshot {
    let session: LedgerSession
    static let pageSize = 2000

    func liabilityEpochs() async throws -> [LiabilityEpochRecord] {
        try await PostgresMintStore.liabilityEpochs { try await session.rows($0) }
    }

    func liabilityLeaves(keyset: String, tree: LiabilityTree, after: UInt64, through: UInt64) async throws -> [LiabilityLeafRow] {
        try await PostgresMintStore.liabilityLeaves(keyset: keyset, tree: tree, after: after, through: through) { try await session.rows($0) }
    }

    func keysets() async throws -> [KeysetRecord] {
        try await session.rows("SELECT \(unescaped: PostgresMintStore.keysetColumns) FROM keysets ORDER BY unit, derivation_index").map {
            try PostgresMintStore.keyset($0)
        }
    }

    func amountCounts() async throws -> [AuditAmountCount] {
        var tally = AuditAmountCount.Tally()
        for r in try await session.rows(
            """
            SELECT keyset_id, amount::text AS amount, 'issued' AS kind, count(*)::bigint AS n FROM blind_signatures GROUP BY keyset_id, amount
            UNION ALL
            SELECT keyset_id, amount::text AS amount, state AS kind, count(*)::bigint AS n FROM proofs GROUP BY keyset_id, amount, state
            """)
        {
            tally.record(keysetID: try r.text("keyset_id"), amount: try r.text("amount"), kind: try r.text("kind"), count: try r.nonNegative("n"))
        }
        return tally.all
    }

    func totals() async throws -> AuditTotals {
        try await PostgresMintStore.auditTotals { try await session.rows($0) }
    }

    /// A server-side cursor over `sql`, fetched `pageSize` rows at a time and mapped by `row`.
    func cursor<Row: Sendable>(_ sql: String, row: @escaping @Sendable (PostgresRandomAccessRow) throws -> Row) async throws -> AuditPages<Row> {
        let name = "audit_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        _ = try await session.rows(PostgresQuery(unsafeSQL: "DECLARE \(name) NO SCROLL CURSOR FOR \(sql)"))
        let session = self.session
        return AuditPages {
            try await session.rows(PostgresQuery(unsafeSQL: "FETCH FORWARD \(Self.pageSize) FROM \(name)")).map(row)
        }
    }

    static func operationsSQL(where condition: String) -> String {
        """
        SELECT o.id, o.kind, o.quote_id, o.unit, o.fee::text AS fee, o.created_at, o.epoch, o.digest,
               \(PostgresMintStore.prefixed(PostgresMintStore.mintQuoteColumns, alias: "mq")),
               \(PostgresMintStore.prefixed(PostgresMintStore.meltQuoteColumns, alias: "lq"))
        FROM operations o
        LEFT JOIN mint_quotes mq ON o.kind = 'mint' AND mq.id = o.quote_id
        LEFT JOIN melt_quotes lq ON o.kind = 'melt' AND lq.id = o.quote_id
        WHERE \(condition)
        ORDER BY o.id
        """
    }

    @Sendable static func operation(_ r: PostgresRandomAccessRow) throws -> AuditOperationRow {
        let id = try r.text("id")
        let record = AuditMalformedError.catching {
            guard let kind = OperationKind(rawValue: try r.text("kind")) else { throw AuditMalformedError("unknown kind") }
            return OperationRecord(
                id: id, kind: kind, quoteID: try r.optionalText("quote_id"), unit: CurrencyUnit(try r.text("unit")), fee: Amount(try r.uint("fee")),
                createdAt: try r.nonNegative("created_at"))
        }
        let mint = try r.optionalText("mq_id") == nil ? nil : AuditMalformedError.catching { try PostgresMintStore.mintQuote(r, prefix: "mq_") }
        let melt = try r.optionalText("lq_id") == nil ? nil : AuditMalformedError.catching { try PostgresMintStore.meltQuote(r, prefix: "lq_") }
        return AuditOperationRow(
            id: id, record: record, mintQuote: mint, meltQuote: melt, epoch: try r["epoch"].decode(Int64?.self).map { UInt64(clamping: $0) },
            digest: try r.optionalText("digest"))
    }

    func operations() async throws -> AuditPages<AuditOperationRow> {
        let operations = try await cursor(Self.operationsSQL(where: "true"), row: Self.operation)
        let session = self.session
        return AuditPages { try await Self.withBatchQuotes(try await operations.next(), session) }
    }

    /// Fills in the quotes of a page's NUT-29 batch operations (which the join by `quote_id` does not find).
    static func withBatchQuotes(_ page: [AuditOperationRow], _ session: LedgerSession) async throws -> [AuditOperationRow] {
        var page = page
        let batches = page.indices.compactMap { i -> (Int, [String])? in
            guard let op = try? page[i].record.get(), op.kind == .mint, let quote = op.quoteID, quote.contains(",") else { return nil }
            return (i, OperationRecord.batchQuotes(quote))
        }
        guard !batches.isEmpty else { return page }
        let ids = Array(Set(batches.flatMap(\.1)))
        var quotes = [String: Result<MintQuoteRecord, AuditMalformedError>]()
        for r in try await session.rows("SELECT \(unescaped: PostgresMintStore.mintQuoteColumns) FROM mint_quotes q WHERE id = ANY(\(ids)::text[])") {
            quotes[try r.text("id")] = AuditMalformedError.catching { try PostgresMintStore.mintQuote(r) }
        }
        for (i, listed) in batches { page[i].batchMintQuotes = listed.map { quotes[$0] } }
        return page
    }

    func operations(after epoch: UInt64) async throws -> AuditPages<AuditOperationRows> {
        let operations = try await cursor(Self.operationsSQL(where: "o.epoch IS NULL OR o.epoch > \(Int64(clamping: epoch))"), row: Self.operation)
        let session = self.session
        return AuditPages {
            let page = try await Self.withBatchQuotes(try await operations.next(), session)
            guard !page.isEmpty else { return [] }
            let ids = page.map(\.id)
            var proofs = [String: [AuditProofRow]](), signatures = [String: [AuditSignatureRow]]()
            for r in try await session.rows("SELECT \(unescaped: Self.proofColumns) FROM proofs WHERE operation_id = ANY(\(ids)::text[])") {
                let row = try Self.proof(r)
                proofs[row.operationID, default: []].append(row)
            }
            for r in try await session.rows("SELECT \(unescaped: Self.signatureColumns) FROM blind_signatures WHERE operation_id = ANY(\(ids)::text[])") {
                let row = try Self.signature(r)
                signatures[row.operationID, default: []].append(row)
            }
            return page.map { AuditOperationRows(operation: $0, proofs: proofs[$0.id] ?? [], signatures: signatures[$0.id] ?? []) }
        }
    }

    static let proofColumns = "y, amount::text AS amount, keyset_id, secret, c, witness, state, operation_id, melt_quote_id, created_at, position"
    static let signatureColumns = "b, amount::text AS amount, keyset_id, c, dleq_e, dleq_s, operation_id, created_at, position"

    @Sendable static func proof(_ r: PostgresRandomAccessRow) throws -> AuditProofRow {
        let y = try r.text("y")
        let record = AuditMalformedError.catching {
            ProofRecord(
                y: y, amount: Amount(try r.uint("amount")), keysetID: try KeysetID(hex: r.text("keyset_id")), secret: try r.text("secret"),
                signature: try r.text("c"), witness: try r.optionalText("witness"), position: try r["position"].decode(Int32?.self).map { Int($0) })
        }
        return AuditProofRow(
            y: y, operationID: try r.text("operation_id"), record: record, state: try r.text("state") == "pending" ? .pending : .spent,
            meltQuoteID: try r.optionalText("melt_quote_id"), createdAt: (try? r.nonNegative("created_at")) ?? 0)
    }

    @Sendable static func signature(_ r: PostgresRandomAccessRow) throws -> AuditSignatureRow {
        let b = try r.text("b")
        let record = AuditMalformedError.catching {
            SignatureRecord(
                blindedMessage: b, amount: Amount(try r.uint("amount")), keysetID: try KeysetID(hex: r.text("keyset_id")), signature: try r.text("c"),
                dleqE: try r.text("dleq_e"), dleqS: try r.text("dleq_s"), position: try r["position"].decode(Int32?.self).map { Int($0) })
        }
        return AuditSignatureRow(b: b, operationID: try r.text("operation_id"), record: record, createdAt: (try? r.nonNegative("created_at")) ?? 0)
    }

    func proofs() async throws -> AuditPages<AuditProofRow> {
        try await cursor("SELECT \(Self.proofColumns) FROM proofs ORDER BY operation_id", row: Self.proof)
    }

    func signatures() async throws -> AuditPages<AuditSignatureRow> {
        try await cursor("SELECT \(Self.signatureColumns) FROM blind_signatures ORDER BY operation_id", row: Self.signature)
    }

    func mintQuotes() async throws -> AuditPages<AuditMintQuoteRow> {
        try await cursor(
            """
            SELECT \(PostgresMintStore.mintQuoteColumns),
                   ((SELECT count(*) FROM operations o WHERE o.quote_id = q.id AND o.kind = 'mint')
                    + (SELECT count(*) FROM mint_batch_quotes b WHERE b.quote_id = q.id))::bigint AS operation_count,
                   EXISTS (SELECT 1 FROM operations o WHERE o.quote_id = q.id AND o.id LIKE 'nutshell-import-%') AS imported
            FROM mint_quotes q WHERE state IN ('PAID', 'ISSUED') ORDER BY id
            """
        ) { r in
            AuditMintQuoteRow(
                id: try r.text("id"), record: AuditMalformedError.catching { try PostgresMintStore.mintQuote(r) },
                operations: Int(try r.int("operation_count")), imported: try r["imported"].decode(Bool.self))
        }
    }

    func epochs() async throws -> [AuditEpochRow] {
        try await session.rows("SELECT number, closed_at, operations, root, previous, commitment, signature, manifest FROM epochs ORDER BY number").map { r in
            AuditEpochRow(
                epoch: SignedEpoch(epoch: try r.nonNegative("number"), manifest: try r.text("manifest"), commitment: try r.text("commitment"), signature: try r.text("signature")),
                closedAt: try r.nonNegative("closed_at"), operations: try r.nonNegative("operations"), root: try r.text("root"), previous: try r.text("previous"))
        }
    }

    func meltQuotes() async throws -> AuditPages<AuditMeltQuoteRow> {
        try await cursor(
            """
            SELECT \(PostgresMintStore.meltQuoteColumns),
                   (SELECT count(*) FROM operations o WHERE o.quote_id = q.id AND o.kind = 'melt')::bigint AS operation_count,
                   (SELECT count(*) FROM proofs p WHERE p.melt_quote_id = q.id)::bigint AS pending_proofs,
                   EXISTS (SELECT 1 FROM operations o WHERE o.quote_id = q.id AND o.id LIKE 'nutshell-import-%') AS imported
            FROM melt_quotes q WHERE state IN ('PENDING', 'PAID') ORDER BY id
            """
        ) { r in
            AuditMeltQuoteRow(
                id: try r.text("id"), record: AuditMalformedError.catching { try PostgresMintStore.meltQuote(r) },
                operations: Int(try r.int("operation_count")), pendingProofs: Int(try r.int("pending_proofs")), imported: try r["imported"].decode(Bool.self))
        }
    }
}
