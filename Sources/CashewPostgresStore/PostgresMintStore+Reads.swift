import CashuCrypto
import CashuMint
import CashuProtocol
import Foundation
import PostgresNIO

extension PostgresMintStore {
    static let mintQuoteColumns = """
        id, method, request, payment_hash, amount::text AS amount, unit, state, pubkey, expiry, created_at, paid_at, issued_at
        """

    static func mintQuote(_ r: PostgresRandomAccessRow, prefix p: String = "") throws -> MintQuoteRecord {
        guard let state = MintQuoteState(rawValue: try r.text(p + "state")) else { throw MintStoreError(.unavailable, "bad mint quote state") }
        return MintQuoteRecord(
            id: try r.text(p + "id"), method: try r.text(p + "method"), request: try r.text(p + "request"), paymentHash: try PaymentHash(hex: r.text(p + "payment_hash")),
            amount: Amount(try r.uint(p + "amount")), unit: CurrencyUnit(try r.text(p + "unit")), state: state, pubkey: try r.optionalText(p + "pubkey"),
            expiry: try r.nonNegative(p + "expiry"), createdAt: try r.nonNegative(p + "created_at"), paidAt: try r.optionalNonNegative(p + "paid_at"),
            issuedAt: try r.optionalNonNegative(p + "issued_at"))
    }

    public func mintQuote(id: String) async throws -> MintQuoteRecord? {
        try await rows("SELECT \(unescaped: Self.mintQuoteColumns) FROM mint_quotes WHERE id = \(id)").first.map { try Self.mintQuote($0) }
    }

    public func mintQuote(paymentHash: PaymentHash) async throws -> MintQuoteRecord? {
        try await rows("SELECT \(unescaped: Self.mintQuoteColumns) FROM mint_quotes WHERE payment_hash = \(paymentHash.hex)").first.map { try Self.mintQuote($0) }
    }

    static let meltQuoteColumns = """
        id, method, request, payment_hash, unit, amount::text AS amount, fee_reserve::text AS fee_reserve, amount_msat::text AS amount_msat,
        state, expiry, payment_preimage, fee_paid::text AS fee_paid, created_at, paid_at, blank_outputs, input_amount::text AS input_amount,
        input_fee::text AS input_fee, payment_attempt_at, payment_backend
        """

    static func meltQuote(_ r: PostgresRandomAccessRow, prefix p: String = "") throws -> MeltQuoteRecord {
        guard let state = MeltQuoteState(rawValue: try r.text(p + "state")) else { throw MintStoreError(.unavailable, "bad melt quote state") }
        let blank = try r.optionalText(p + "blank_outputs").map { try JSONDecoder().decode([BlindedMessage].self, from: Data($0.utf8)) }
        return MeltQuoteRecord(
            id: try r.text(p + "id"), method: try r.text(p + "method"), request: try r.text(p + "request"), paymentHash: try PaymentHash(hex: r.text(p + "payment_hash")),
            unit: CurrencyUnit(try r.text(p + "unit")), amount: Amount(try r.uint(p + "amount")), feeReserve: Amount(try r.uint(p + "fee_reserve")),
            amountMsat: try r.uint(p + "amount_msat"), state: state, expiry: try r.nonNegative(p + "expiry"),
            paymentPreimage: try r.optionalText(p + "payment_preimage"), feePaid: try r.optionalUInt(p + "fee_paid").map { Amount($0) },
            createdAt: try r.nonNegative(p + "created_at"), paidAt: try r.optionalNonNegative(p + "paid_at"), blankOutputs: blank,
            inputAmount: try r.optionalUInt(p + "input_amount").map { Amount($0) }, inputFee: try r.optionalUInt(p + "input_fee").map { Amount($0) },
            paymentAttemptAt: try r.optionalNonNegative(p + "payment_attempt_at"), paymentBackend: try r.optionalText(p + "payment_backend"))
    }

    public func meltQuote(id: String) async throws -> MeltQuoteRecord? {
        try await rows("SELECT \(unescaped: Self.meltQuoteColumns) FROM melt_quotes WHERE id = \(id)").first.map { try Self.meltQuote($0) }
    }

    public func pendingMeltQuotes() async throws -> [MeltQuoteRecord] {
        try await rows("SELECT \(unescaped: Self.meltQuoteColumns) FROM melt_quotes WHERE state = 'PENDING'").map { try Self.meltQuote($0) }
    }

    public func proofStates(ys: [String]) async throws -> [String: (state: ProofState, witness: String?)] {
        var result = [String: (state: ProofState, witness: String?)]()
        guard !ys.isEmpty else { return result }
        for r in try await rows("SELECT y, state, witness FROM proofs WHERE y = ANY(\(ys)::text[])") {
            result[try r.text("y")] = (try r.text("state") == "pending" ? .pending : .spent, try r.optionalText("witness"))
        }
        return result
    }

    public func signatures(blindedMessages: [String]) async throws -> [String: SignatureRecord] {
        var result = [String: SignatureRecord]()
        guard !blindedMessages.isEmpty else { return result }
        for r in try await rows(
            "SELECT b, amount::text AS amount, keyset_id, c, dleq_e, dleq_s FROM blind_signatures WHERE b = ANY(\(blindedMessages)::text[])")
        {
            let record = try Self.signatureRecord(r)
            result[record.blindedMessage] = record
        }
        return result
    }

    public func meltChange(quoteID: String) async throws -> [String: SignatureRecord] {
        var result = [String: SignatureRecord]()
        for r in try await rows(
            """
            SELECT s.b, s.amount::text AS amount, s.keyset_id, s.c, s.dleq_e, s.dleq_s
            FROM blind_signatures s JOIN operations o ON o.id = s.operation_id
            WHERE o.quote_id = \(quoteID) AND o.kind = 'melt'
            """)
        {
            let record = try Self.signatureRecord(r)
            result[record.blindedMessage] = record
        }
        return result
    }

    static func signatureRecord(_ r: PostgresRandomAccessRow) throws -> SignatureRecord {
        SignatureRecord(
            blindedMessage: try r.text("b"), amount: Amount(try r.uint("amount")), keysetID: try KeysetID(hex: r.text("keyset_id")),
            signature: try r.text("c"), dleqE: try r.text("dleq_e"), dleqS: try r.text("dleq_s"))
    }

    // MARK: Audit

    /// All sums from one snapshot (a read-only REPEATABLE READ transaction), while mints keep writing.
    public func auditTotals() async throws -> AuditTotals {
        do {
            return try await connections.transaction { session in
                _ = try await session.rows("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                return try await Self.auditTotals { try await session.rows($0) }
            }
        } catch let error as MintStoreError {
            throw error
        } catch {
            throw MintStoreError(.unavailable, "audit query failed: \(Self.serverError(error).map { "PostgreSQL error \($0.state)" } ?? "connection failed")")
        }
    }

    static func auditTotals(_ rows: (PostgresQuery) async throws -> [PostgresRandomAccessRow]) async throws -> AuditTotals {
        var totals = AuditTotals()
        for r in try await rows("SELECT keyset_id, count(*)::bigint AS n, sum(amount)::text AS total FROM blind_signatures GROUP BY keyset_id") {
            let id = try KeysetID(hex: r.text("keyset_id"))
            totals.keysets[id, default: .init()].issued = try Self.uint128(r.text("total"))
            totals.keysets[id, default: .init()].issuedCount = try r.nonNegative("n")
        }
        for r in try await rows("SELECT keyset_id, state, count(*)::bigint AS n, sum(amount)::text AS total FROM proofs GROUP BY keyset_id, state") {
            let id = try KeysetID(hex: r.text("keyset_id"))
            let total = try Self.uint128(r.text("total"))
            let n = try r.nonNegative("n")
            if try r.text("state") == "spent" {
                totals.keysets[id, default: .init()].redeemed = total
                totals.keysets[id, default: .init()].redeemedCount = n
            } else {
                totals.keysets[id, default: .init()].pending = total
                totals.keysets[id, default: .init()].pendingCount = n
            }
        }
        for r in try await rows("SELECT unit, sum(fee)::text AS total FROM operations GROUP BY unit") {
            totals.fees[CurrencyUnit(try r.text("unit"))] = try Self.uint128(r.text("total"))
        }
        totals.running = try await Self.runningTotals(rows)
        return totals
    }

    public func ledgerTotals() async throws -> AuditTotals {
        let running = try await Self.runningTotals { try await rows($0) }
        return AuditTotals(keysets: running.keysets, fees: running.fees)
    }

    static func runningTotals(_ rows: (PostgresQuery) async throws -> [PostgresRandomAccessRow]) async throws -> AuditTotals.Running {
        var totals = AuditTotals.Running()
        for r in try await rows("SELECT kind, key, sum(amount)::text AS total, sum(count)::bigint AS n FROM ledger_totals GROUP BY kind, key") {
            try totals.record(kind: try r.text("kind"), key: try r.text("key"), total: try Self.uint128(r.text("total")), count: try r.nonNegative("n"))
        }
        return totals
    }

    public func pendingMeltCount() async throws -> Int {
        Int(try await rows("SELECT count(*)::bigint AS n FROM melt_quotes WHERE state = 'PENDING'").first?.nonNegative("n") ?? 0)
    }

    public var poolUsage: (leased: Int, maximum: Int)? { (connections.leased.value, connections.pool.configuration.options.maximumConnections) }

    static func uint128(_ text: String) throws -> UInt128 {
        guard let v = UInt128(text) else { throw MintStoreError(.unavailable, "sum \(text.prefix(40)) is not an unsigned integer") }
        return v
    }
}
