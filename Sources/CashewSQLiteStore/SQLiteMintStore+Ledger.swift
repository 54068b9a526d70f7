import CashewEncoding
import CashewSQLite
import CashuCrypto
import CashuMint
import CashuProtocol
import SQLiteNIO

extension SQLiteMintStore {
    public func swap(inputs: [ProofRecord], outputs: [SignatureRecord], operation: OperationRecord) async throws {
        try await transaction { db in
            try await Self.insertOperation(operation, db)
            try await Self.insertProofs(inputs, state: "spent", meltQuoteID: nil, operation: operation, db)
            try await Self.insertSignatures(outputs, operation: operation, db)
        }
    }

    public func recordOperation(_ operation: OperationRecord) async throws {
        try await transaction { db in
            _ = try await db.query(
                "INSERT INTO operations (id, kind, quote_id, unit, fee, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                [.text(operation.id), .text(operation.kind.rawValue), .optionalText(operation.quoteID), .text(operation.unit.rawValue), .amount(operation.fee),
                 .uint(operation.createdAt)])
        }
    }

    static func insertOperation(_ op: OperationRecord, _ db: SQLiteConnection) async throws {
        _ = try await db.query(
            "INSERT INTO operations (id, kind, quote_id, unit, fee, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [.text(op.id), .text(op.kind.rawValue), .optionalText(op.quoteID), .text(op.unit.rawValue), .amount(op.fee), .uint(op.createdAt)])
    }

    /// Inserts proofs by `Y`; a constraint error means some `Y` is already recorded: pending or spent decides the code.
    static func insertProofs(_ proofs: [ProofRecord], state: String, meltQuoteID: String?, operation: OperationRecord, _ db: SQLiteConnection) async throws {
        guard !proofs.isEmpty else { return }
        var binds = [SQLiteData]()
        binds.reserveCapacity(proofs.count * 11)
        for p in proofs {
            binds += [
                .text(p.y), .amount(p.amount), .text(p.keysetID.hex), .text(p.secret), .text(p.signature), .optionalText(p.witness),
                .text(state), .text(operation.id), .optionalText(meltQuoteID), .uint(operation.createdAt), p.position.map { .integer($0) } ?? .null,
            ]
        }
        do {
            _ = try await db.query(
                "INSERT INTO proofs (y, amount, keyset_id, secret, c, witness, state, operation_id, melt_quote_id, created_at, position) VALUES "
                    + placeholders(rows: proofs.count, columns: 11),
                binds)
        } catch where isConstraint(error) {
            let rows = try await db.query("SELECT state FROM proofs WHERE y IN (\(list(proofs.count)))", proofs.map { .text($0.y) })
            if rows.contains(where: { $0.column("state")?.string == "pending" }) {
                throw MintStoreError(.proofsPending, "inputs are pending")
            }
            throw MintStoreError(.proofsSpent, "inputs already spent")
        }
    }

    /// Inserts signatures by `B_`; a constraint error means an output was already signed.
    static func insertSignatures(_ signatures: [SignatureRecord], operation: OperationRecord, _ db: SQLiteConnection) async throws {
        guard !signatures.isEmpty else { return }
        try await insertSignatures(signatures, operationID: operation.id, createdAt: operation.createdAt, db)
    }

    static func insertSignatures(_ signatures: [SignatureRecord], operationID: String, createdAt: UInt64, _ db: SQLiteConnection) async throws {
        guard !signatures.isEmpty else { return }
        var binds = [SQLiteData]()
        binds.reserveCapacity(signatures.count * 9)
        for s in signatures {
            binds += [
                .text(s.blindedMessage), .amount(s.amount), .text(s.keysetID.hex), .text(s.signature), .text(s.dleqE), .text(s.dleqS),
                .text(operationID), .uint(createdAt), s.position.map { .integer($0) } ?? .null,
            ]
        }
        do {
            _ = try await db.query(
                "INSERT INTO blind_signatures (b, amount, keyset_id, c, dleq_e, dleq_s, operation_id, created_at, position) VALUES "
                    + placeholders(rows: signatures.count, columns: 9),
                binds)
        } catch where isConstraint(error) {
            throw MintStoreError(.outputsSigned, "outputs already signed")
        }
    }

    public func proofStates(ys: [String]) async throws -> [String: (state: ProofState, witness: String?)] {
        var result = [String: (state: ProofState, witness: String?)]()
        for chunk in ys.chunks(of: 500) {
            let rows = try await read { db in
                try await db.query("SELECT y, state, witness FROM proofs WHERE y IN (\(Self.list(chunk.count)))", chunk.map { .text($0) })
            }
            for row in rows {
                result[try row.text("y")] = (try row.text("state") == "pending" ? .pending : .spent, row.optionalText("witness"))
            }
        }
        return result
    }

    public func signatures(blindedMessages: [String]) async throws -> [String: SignatureRecord] {
        var result = [String: SignatureRecord]()
        for chunk in blindedMessages.chunks(of: 500) {
            let rows = try await read { db in
                try await db.query("SELECT * FROM blind_signatures WHERE b IN (\(Self.list(chunk.count)))", chunk.map { .text($0) })
            }
            for row in rows {
                let record = try Self.signatureRecord(row)
                result[record.blindedMessage] = record
            }
        }
        return result
    }

    public func meltChange(quoteID: String) async throws -> [String: SignatureRecord] {
        let rows = try await read { db in
            try await db.query(
                """
                SELECT s.* FROM blind_signatures s JOIN operations o ON o.id = s.operation_id
                WHERE o.quote_id = ? AND o.kind = 'melt'
                """, [.text(quoteID)])
        }
        var result = [String: SignatureRecord]()
        for row in rows {
            let record = try Self.signatureRecord(row)
            result[record.blindedMessage] = record
        }
        return result
    }

    static func signatureRecord(_ row: SQLiteRow) throws -> SignatureRecord {
        SignatureRecord(
            blindedMessage: try row.text("b"), amount: try row.amount("amount"), keysetID: try KeysetID(hex: row.text("keyset_id")),
            signature: try row.text("c"), dleqE: try row.text("dleq_e"), dleqS: try row.text("dleq_s"))
    }
}
