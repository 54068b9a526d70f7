import CashewSQLite
import CashuCrypto
import CashuMint
import CashuProtocol
import Foundation
import SQLiteNIO

extension SQLiteMintStore {
    // MARK: Mint quotes

    public func addMintQuote(_ q: MintQuoteRecord) async throws {
        try await transaction { db in
            do {
                _ = try await db.query(
                    """
                    INSERT INTO mint_quotes (id, method, request, payment_hash, amount, unit, state, pubkey, expiry, created_at, paid_at, issued_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(q.id), .text(q.method), .text(q.request), .text(q.paymentHash.hex), .amount(q.amount), .text(q.unit.rawValue),
                        .text(q.state.rawValue), .optionalText(q.pubkey), .uint(q.expiry), .uint(q.createdAt), .optionalUInt(q.paidAt),
                        .optionalUInt(q.issuedAt),
                    ])
            } catch where Self.isConstraint(error) {
                throw MintStoreError(.duplicate, "mint quote or invoice exists")
            }
        }
    }

    static func mintQuote(_ row: SQLiteRow) throws -> MintQuoteRecord {
        guard let state = MintQuoteState(rawValue: try row.text("state")) else { throw MintStoreError(.unavailable, "bad mint quote state") }
        return MintQuoteRecord(
            id: try row.text("id"), method: try row.text("method"), request: try row.text("request"), paymentHash: try PaymentHash(hex: row.text("payment_hash")),
            amount: try row.amount("amount"), unit: CurrencyUnit(try row.text("unit")), state: state, pubkey: row.optionalText("pubkey"),
            expiry: try row.uint("expiry"), createdAt: try row.uint("created_at"), paidAt: row.optionalUInt("paid_at"),
            issuedAt: row.optionalUInt("issued_at"))
    }

    public func mintQuote(id: String) async throws -> MintQuoteRecord? {
        try await read { db in try await db.query("SELECT * FROM mint_quotes WHERE id = ?", [.text(id)]).first.map(Self.mintQuote) }
    }

    public func mintQuote(paymentHash: PaymentHash) async throws -> MintQuoteRecord? {
        try await read { db in
            try await db.query("SELECT * FROM mint_quotes WHERE payment_hash = ?", [.text(paymentHash.hex)]).first.map(Self.mintQuote)
        }
    }

    public func markMintQuotePaid(id: String, at time: UInt64) async throws -> Bool {
        try await transaction { db in
            !(try await db.query(
                "UPDATE mint_quotes SET state = 'PAID', paid_at = ? WHERE id = ? AND state = 'UNPAID' RETURNING id", [.uint(time), .text(id)])
            ).isEmpty
        }
    }

    public func issueMintQuote(id: String, outputs: [SignatureRecord], operation: OperationRecord) async throws {
        try await transaction { db in
            let updated = try await db.query(
                "UPDATE mint_quotes SET state = 'ISSUED', issued_at = ? WHERE id = ? AND state = 'PAID' RETURNING id",
                [.uint(operation.createdAt), .text(id)])
            guard !updated.isEmpty else { throw MintStoreError(.quoteState, "mint quote \(id) is not PAID") }
            try await Self.insertOperation(operation, db)
            try await Self.insertSignatures(outputs, operation: operation, db)
        }
    }

    public func issueMintQuotes(ids: [String], outputs: [SignatureRecord], operation: OperationRecord) async throws {
        try await transaction { db in
            for (position, id) in ids.enumerated() {
                let updated = try await db.query(
                    "UPDATE mint_quotes SET state = 'ISSUED', issued_at = ? WHERE id = ? AND state = 'PAID' RETURNING id",
                    [.uint(operation.createdAt), .text(id)])
                guard !updated.isEmpty else { throw MintStoreError(.quoteState, "mint quote \(id) is not PAID") }
                _ = try await db.query(
                    "INSERT INTO mint_batch_quotes (quote_id, operation_id, position) VALUES (?, ?, ?)",
                    [.text(id), .text(operation.id), .integer(position)])
            }
            try await Self.insertOperation(operation, db)
            try await Self.insertSignatures(outputs, operation: operation, db)
        }
    }

    // MARK: Melt quotes

    public func addMeltQuote(_ q: MeltQuoteRecord) async throws {
        try await transaction { db in
            do {
                _ = try await db.query(
                    """
                    INSERT INTO melt_quotes (id, method, request, payment_hash, unit, amount, fee_reserve, amount_msat, state, expiry, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(q.id), .text(q.method), .text(q.request), .text(q.paymentHash.hex), .text(q.unit.rawValue), .amount(q.amount),
                        .amount(q.feeReserve), .uint(q.amountMsat), .text(q.state.rawValue), .uint(q.expiry), .uint(q.createdAt),
                    ])
            } catch where Self.isConstraint(error) {
                throw MintStoreError(.duplicate, "melt quote exists")
            }
        }
    }

    static func meltQuote(_ row: SQLiteRow) throws -> MeltQuoteRecord {
        guard let state = MeltQuoteState(rawValue: try row.text("state")) else { throw MintStoreError(.unavailable, "bad melt quote state") }
        var blank: [BlindedMessage]?
        if let json = row.optionalText("blank_outputs") {
            blank = try JSONDecoder().decode([BlindedMessage].self, from: Data(json.utf8))
        }
        return MeltQuoteRecord(
            id: try row.text("id"), method: try row.text("method"), request: try row.text("request"), paymentHash: try PaymentHash(hex: row.text("payment_hash")),
            unit: CurrencyUnit(try row.text("unit")), amount: try row.amount("amount"), feeReserve: try row.amount("fee_reserve"),
            amountMsat: try row.uint("amount_msat"), state: state, expiry: try row.uint("expiry"), paymentPreimage: row.optionalText("payment_preimage"),
            feePaid: row.optionalUInt("fee_paid").map { Amount($0) }, createdAt: try row.uint("created_at"), paidAt: row.optionalUInt("paid_at"),
            blankOutputs: blank, inputAmount: row.optionalUInt("input_amount").map { Amount($0) },
            inputFee: row.optionalUInt("input_fee").map { Amount($0) }, paymentAttemptAt: row.optionalUInt("payment_attempt_at"),
            paymentBackend: row.optionalText("payment_backend"))
    }

    public func meltQuote(id: String) async throws -> MeltQuoteRecord? {
        try await read { db in try await db.query("SELECT * FROM melt_quotes WHERE id = ?", [.text(id)]).first.map(Self.meltQuote) }
    }

    public func pendingMeltQuotes() async throws -> [MeltQuoteRecord] {
        try await read { db in try await db.query("SELECT * FROM melt_quotes WHERE state = 'PENDING'").map(Self.meltQuote) }
    }

    public func beginMelt(
        quoteID: String, inputs: [ProofRecord], blankOutputs: [BlindedMessage], inputAmount: Amount, inputFee: Amount, operation: OperationRecord,
        paymentBackend: String?
    ) async throws {
        let blank = String(decoding: try JSONEncoder().encode(blankOutputs), as: UTF8.self)
        try await transaction { db in
            let updated: [SQLiteRow]
            do {
                updated = try await db.query(
                    """
                    UPDATE melt_quotes SET state = 'PENDING', blank_outputs = ?, input_amount = ?, input_fee = ?, payment_attempt_at = ?,
                        payment_backend = ?
                    WHERE id = ? AND state = 'UNPAID' RETURNING id
                    """,
                    [.text(blank), .amount(inputAmount), .amount(inputFee), .uint(operation.createdAt), .optionalText(paymentBackend), .text(quoteID)])
            } catch where Self.isConstraint(error) {
                // Another quote for the same invoice is already pending or paid.
                throw MintStoreError(.quoteState, "the invoice is already being paid")
            }
            guard !updated.isEmpty else { throw MintStoreError(.quoteState, "melt quote \(quoteID) is not UNPAID") }
            try await Self.insertOperation(operation, db)
            try await Self.insertProofs(inputs, state: "pending", meltQuoteID: quoteID, operation: operation, db)
        }
    }

    public func completeMelt(quoteID: String, preimage: String?, feePaid: Amount, change: [SignatureRecord], at time: UInt64) async throws {
        try await transaction { db in try await Self.complete(quoteID: quoteID, preimage: preimage, feePaid: feePaid, change: change, at: time, db) }
    }

    static func complete(quoteID: String, preimage: String?, feePaid: Amount, change: [SignatureRecord], at time: UInt64, _ db: SQLiteConnection) async throws {
        let updated = try await db.query(
            "UPDATE melt_quotes SET state = 'PAID', payment_preimage = ?, fee_paid = ?, paid_at = ? WHERE id = ? AND state = 'PENDING' RETURNING id",
            [.optionalText(preimage), .amount(feePaid), .uint(time), .text(quoteID)])
        guard !updated.isEmpty else { throw MintStoreError(.quoteState, "melt quote \(quoteID) is not PENDING") }
        _ = try await db.query("UPDATE proofs SET state = 'spent', melt_quote_id = NULL WHERE melt_quote_id = ? AND state = 'pending'", [.text(quoteID)])
        let operation = try await db.query("SELECT id FROM operations WHERE quote_id = ? AND kind = 'melt'", [.text(quoteID)])
        guard let operationID = operation.first?.column("id")?.string else { throw MintStoreError(.quoteState, "melt \(quoteID) has no operation") }
        try await insertSignatures(change, operationID: operationID, createdAt: time, db)
    }

    public func completeInternalMelt(quoteID: String, mintQuoteID: String, change: [SignatureRecord], at time: UInt64) async throws {
        try await transaction { db in
            let paid = try await db.query(
                "UPDATE mint_quotes SET state = 'PAID', paid_at = ? WHERE id = ? AND state = 'UNPAID' RETURNING id", [.uint(time), .text(mintQuoteID)])
            guard !paid.isEmpty else { throw MintStoreError(.quoteState, "mint quote \(mintQuoteID) is not UNPAID") }
            try await Self.complete(quoteID: quoteID, preimage: nil, feePaid: 0, change: change, at: time, db)
        }
    }

    public func failMelt(quoteID: String, attempt: UInt64?) async throws {
        try await transaction { db in
            let updated = try await db.query(
                """
                UPDATE melt_quotes SET state = 'UNPAID', blank_outputs = NULL, input_amount = NULL, input_fee = NULL, payment_attempt_at = NULL,
                    payment_backend = NULL
                WHERE id = ? AND state = 'PENDING' AND (? IS NULL OR payment_attempt_at = ?) RETURNING id
                """,
                [.text(quoteID), .optionalUInt(attempt), .optionalUInt(attempt)])
            guard !updated.isEmpty else { throw MintStoreError(.quoteState, "melt quote \(quoteID) is not PENDING") }
            _ = try await db.query("DELETE FROM proofs WHERE melt_quote_id = ? AND state = 'pending'", [.text(quoteID)])
            _ = try await db.query("DELETE FROM operations WHERE quote_id = ? AND kind = 'melt'", [.text(quoteID)])
        }
    }

    public func claimPaymentAttempt(quoteID: String, from expected: UInt64?, to time: UInt64) async throws -> Bool {
        try await transaction { db in
            !(try await db.query(
                "UPDATE melt_quotes SET payment_attempt_at = ? WHERE id = ? AND state = 'PENDING' AND payment_attempt_at IS ? RETURNING id",
                [.uint(time), .text(quoteID), .optionalUInt(expected)])).isEmpty
        }
    }
}
