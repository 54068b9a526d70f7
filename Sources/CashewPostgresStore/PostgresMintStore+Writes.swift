import CashuCrypto
import CashuMint
import CashuProtocol
import Foundation
import PostgresNIO
import Secp256k1

/// Column arrays for `unnest`, sorted by key so that concurrent statements lock index entries in the same order
/// (no deadlocks between two requests that share inputs or outputs).
struct ProofColumns {
    var ys: [String] = [], amounts: [String] = [], keysets: [String] = [], secrets: [String] = [], cs: [String] = [], witnesses: [String] = []
    /// Request positions, -1 for unknown (arrays of optionals do not bind; NULLIF in SQL).
    var positions: [Int32] = []

    init(_ proofs: [ProofRecord]) { self.init(sortedByY: proofs.sorted(by: { $0.y < $1.y })) }

    /// Columns of proofs already in `y` order (a caller that keeps other columns aligned sorts once, itself).
    init(sortedByY proofs: [ProofRecord]) {
        for p in proofs {
            ys.append(p.y)
            amounts.append(String(p.amount.rawValue))
            keysets.append(p.keysetID.hex)
            secrets.append(p.secret)
            cs.append(p.signature)
            // Arrays of optional text do not bind; an empty witness means none (NULLIF in SQL).
            witnesses.append(p.witness ?? "")
            positions.append(p.position.map { Int32(clamping: $0) } ?? -1)
        }
    }
}

struct SignatureColumns {
    var bs: [String] = [], amounts: [String] = [], keysets: [String] = [], cs: [String] = [], es: [String] = [], ss: [String] = []
    var positions: [Int32] = []

    init(_ signatures: [SignatureRecord]) { self.init(sortedByB: signatures.sorted(by: { $0.blindedMessage < $1.blindedMessage })) }

    /// Columns of signatures already in `B_` order.
    init(sortedByB signatures: [SignatureRecord]) {
        for s in signatures {
            bs.append(s.blindedMessage)
            amounts.append(String(s.amount.rawValue))
            keysets.append(s.keysetID.hex)
            cs.append(s.signature)
            es.append(s.dleqE)
            ss.append(s.dleqS)
            positions.append(s.position.map { Int32(clamping: $0) } ?? -1)
        }
    }
}

extension PostgresMintStore {
    /// Runs one write statement and returns its rows; conflicts become `MintStoreError`s by SQLSTATE and constraint.
    /// Deadlocks and serialization failures (which the sorted arrays make unlikely) are retried: each statement is
    /// atomic, so a retry is a clean second attempt.
    func write(_ query: PostgresQuery, inputs: [String] = []) async throws -> [PostgresRandomAccessRow] {
        try await classified(inputs: inputs) { try await connections.rows(query) }
    }

    /// Runs a write, retrying deadlocks and serialization failures and classifying unique-key conflicts.
    func classified<T>(inputs: [String], _ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let error as PSQLError {
                guard let (state, constraint) = Self.serverError(error) else { throw Self.translate(error) }
                if (state == "40P01" || state == "40001"), attempt < 5 {
                    attempt += 1
                    continue
                }
                guard state == "23505" else { throw Self.translate(error) }
                switch constraint {
                case "proofs_pkey", "blind_signatures_pkey":
                    // Inputs are decided before outputs, as on SQLite (and in nutshell and cdk): a request that reuses
                    // a spent input and an already signed output is told about the input (11001), whichever unique key
                    // PostgreSQL happened to check first.
                    let states = inputs.isEmpty ? [:] : try await proofStates(ys: inputs)
                    if states.values.contains(where: { $0.state == .pending }) { throw MintStoreError(.proofsPending, "inputs are pending") }
                    if !states.isEmpty || constraint == "proofs_pkey" { throw MintStoreError(.proofsSpent, "inputs already spent") }
                    throw MintStoreError(.outputsSigned, "outputs already signed")
                case "melt_quotes_one_payment":
                    throw MintStoreError(.quoteState, "the invoice is already being paid")
                default:
                    throw MintStoreError(.duplicate, "\(constraint ?? "unique key") exists")
                }
            }
        }
    }

    static func int(_ value: UInt64) -> Int64 { Int64(clamping: value) }

    // MARK: Keysets

    static let keysetColumns = """
        id, unit, active, input_fee_ppk, final_expiry, derivation_path, derivation_index, amounts, id_version, valid_from, public_keys, deactivated_at
        """

    public func keysets() async throws -> [KeysetRecord] {
        try await rows("SELECT \(unescaped: Self.keysetColumns) FROM keysets ORDER BY unit, derivation_index").map { try Self.keyset($0) }
    }

    static func keyset(_ r: PostgresRandomAccessRow) throws -> KeysetRecord {
        let amounts = try r.text("amounts").split(separator: ",").map { text -> Amount in
            guard let v = UInt64(text) else { throw MintStoreError(.unavailable, "bad amounts in keyset row") }
            return Amount(v)
        }
        return KeysetRecord(
            id: try KeysetID(hex: r.text("id")), unit: CurrencyUnit(try r.text("unit")), active: try r["active"].decode(Bool.self),
            inputFeePPK: try r.nonNegative("input_fee_ppk"), finalExpiry: try r.optionalNonNegative("final_expiry"),
            derivationPath: try DerivationPath(parsing: r.text("derivation_path")), derivationIndex: try r.uint32("derivation_index"),
            amounts: amounts, idVersion: try r["id_version"].decode(Int16.self) == 0 ? .v1 : .v2, validFrom: try r.nonNegative("valid_from"),
            publicKeys: KeysetRecord.publicKeys(parsing: try r.optionalText("public_keys")), deactivatedAt: try r.optionalNonNegative("deactivated_at"))
    }

    public func addKeyset(_ k: KeysetRecord) async throws {
        let amounts = k.amounts.map { String($0.rawValue) }.joined(separator: ",")
        let finalExpiry = k.finalExpiry.map { Self.int($0) }
        // Two statements in one transaction: within a single statement the unique index on the active keyset would
        // still see the old active row.
        do {
            try await connections.transaction { session in
                if k.active {
                    _ = try await session.rows(
                        "UPDATE keysets SET active = false, deactivated_at = \(Self.int(k.validFrom)) WHERE unit = \(k.unit.rawValue) AND active")
                }
                _ = try await session.rows(
                    """
                    INSERT INTO keysets (id, unit, active, input_fee_ppk, final_expiry, derivation_path, derivation_index, amounts, id_version, valid_from,
                                         public_keys)
                    VALUES (\(k.id.hex), \(k.unit.rawValue), \(k.active), \(Self.int(k.inputFeePPK)), \(finalExpiry), \(k.derivationPath.description),
                            \(Int64(k.derivationIndex)), \(amounts), \(Int16(k.idVersion.rawValue)), \(Self.int(k.validFrom)), \(k.publicKeysText))
                    """)
            }
        } catch let error as MintStoreError {
            throw error
        } catch {
            if let (state, _) = Self.serverError(error), state == "23505" { throw MintStoreError(.duplicate, "keyset \(k.id) exists") }
            throw MintStoreError(.unavailable, "could not add keyset: \(Self.serverError(error).map { "PostgreSQL error \($0.state)" } ?? "connection failed")")
        }
    }

    public func deactivateKeysets(unit: CurrencyUnit) async throws {
        _ = try await write("UPDATE keysets SET active = false, deactivated_at = extract(epoch FROM now())::bigint WHERE unit = \(unit.rawValue) AND active")
    }

    public func fillKeysetPublicKeys(_ keys: [KeysetID: [Point]]) async throws {
        for (id, points) in keys {
            _ = try await write("UPDATE keysets SET public_keys = \(points.map(\.hex).joined(separator: ",")) WHERE id = \(id.hex) AND public_keys IS NULL")
        }
    }

    public func recordOperation(_ op: OperationRecord) async throws {
        _ = try await write(
            """
            INSERT INTO operations (id, kind, quote_id, unit, fee, created_at)
            VALUES (\(op.id), \(op.kind.rawValue), \(op.quoteID), \(op.unit.rawValue), \(String(op.fee.rawValue))::numeric, \(Self.int(op.createdAt)))
            ON CONFLICT (id) DO NOTHING
            """)
    }

    // MARK: Swap

    public func swap(inputs: [ProofRecord], outputs: [SignatureRecord], operation: OperationRecord) async throws {
        try await swapWriter.submit((inputs, outputs, operation)) { [self] swaps in try await writeSwaps(swaps) }
    }

    /// Writes swaps with one statement (see `SwapWriter`); conflicts are classified for the swaps' inputs.
    func writeSwaps(_ swaps: [SwapWriter.Swap]) async throws {
        let statement = SwapBatchStatement(swaps)
        // A conflicting batch is retried swap by swap, so only a single swap's conflict needs the pending/spent answer.
        try await classified(inputs: swaps.count == 1 ? statement.proofs.ys : []) {
            _ = try await connections.rows(statement.query)
        }
    }

    // MARK: Mint quotes

    public func addMintQuote(_ q: MintQuoteRecord) async throws {
        _ = try await write(
            """
            INSERT INTO mint_quotes (id, method, request, payment_hash, amount, unit, state, pubkey, expiry, created_at, paid_at, issued_at)
            VALUES (\(q.id), \(q.method), \(q.request), \(q.paymentHash.hex), \(String(q.amount.rawValue))::numeric, \(q.unit.rawValue),
                    \(q.state.rawValue), \(q.pubkey), \(Self.int(q.expiry)), \(Self.int(q.createdAt)), \(q.paidAt.map { Self.int($0) }),
                    \(q.issuedAt.map { Self.int($0) }))
            """)
    }

    public func markMintQuotePaid(id: String, at time: UInt64) async throws -> Bool {
        !(try await write("UPDATE mint_quotes SET state = 'PAID', paid_at = \(Self.int(time)) WHERE id = \(id) AND state = 'UNPAID' RETURNING id")).isEmpty
    }

    public func issueMintQuote(id: String, outputs: [SignatureRecord], operation: OperationRecord) async throws {
        let s = SignatureColumns(outputs)
        let t = Self.int(operation.createdAt)
        // The state condition is re-checked under the row lock after a concurrent commit, so exactly one
        // request moves the quote to ISSUED; the others find no row and insert nothing.
        let updated = try await write(
            """
            WITH issued AS (
                UPDATE mint_quotes SET state = 'ISSUED', issued_at = \(t) WHERE id = \(id) AND state = 'PAID' RETURNING id
            ), ins_operation AS (
                INSERT INTO operations (id, kind, quote_id, unit, fee, created_at)
                SELECT \(operation.id), 'mint', \(id), \(operation.unit.rawValue), 0, \(t) WHERE EXISTS (SELECT 1 FROM issued)
            ), ins_signatures AS (
                INSERT INTO blind_signatures (b, amount, keyset_id, c, dleq_e, dleq_s, operation_id, created_at, position)
                SELECT b, a::numeric, k, c, e, s, \(operation.id), \(t), NULLIF(pos, -1)
                FROM unnest(\(s.bs)::text[], \(s.amounts)::text[], \(s.keysets)::text[], \(s.cs)::text[], \(s.es)::text[], \(s.ss)::text[],
                            \(s.positions)::int4[])
                    AS t(b, a, k, c, e, s, pos)
                WHERE EXISTS (SELECT 1 FROM issued)
            )
            SELECT count(*)::bigint AS n FROM issued
            """)
        guard let n = try updated.first?.int("n"), n == 1 else { throw MintStoreError(.quoteState, "mint quote \(id) is not PAID") }
    }

    public func issueMintQuotes(ids: [String], outputs: [SignatureRecord], operation: OperationRecord) async throws {
        let s = SignatureColumns(outputs)
        let t = Self.int(operation.createdAt)
        // One statement: the quotes are locked in ID order and issued only if every one is still PAID (re-checked
        // under the row locks after a concurrent commit), so a batch issues all its quotes or none.
        let updated = try await write(
            """
            WITH wanted AS (
                SELECT id FROM mint_quotes WHERE id = ANY(\(ids)::text[]) AND state = 'PAID' ORDER BY id FOR UPDATE
            ), complete AS (
                SELECT (SELECT count(*) FROM wanted) = \(Int64(ids.count)) AS ok
            ), issued AS (
                UPDATE mint_quotes SET state = 'ISSUED', issued_at = \(t)
                WHERE id IN (SELECT id FROM wanted) AND (SELECT ok FROM complete) RETURNING id
            ), ins_batch AS (
                INSERT INTO mint_batch_quotes (quote_id, operation_id, position)
                SELECT q, \(operation.id), (n - 1)::int FROM unnest(\(ids)::text[]) WITH ORDINALITY AS b(q, n)
                WHERE (SELECT ok FROM complete)
            ), ins_operation AS (
                INSERT INTO operations (id, kind, quote_id, unit, fee, created_at)
                SELECT \(operation.id), 'mint', \(operation.quoteID), \(operation.unit.rawValue), 0, \(t) WHERE (SELECT ok FROM complete)
            ), ins_signatures AS (
                INSERT INTO blind_signatures (b, amount, keyset_id, c, dleq_e, dleq_s, operation_id, created_at, position)
                SELECT b, a::numeric, k, c, e, s, \(operation.id), \(t), NULLIF(pos, -1)
                FROM unnest(\(s.bs)::text[], \(s.amounts)::text[], \(s.keysets)::text[], \(s.cs)::text[], \(s.es)::text[], \(s.ss)::text[],
                            \(s.positions)::int4[])
                    AS t(b, a, k, c, e, s, pos)
                WHERE (SELECT ok FROM complete)
            )
            SELECT (SELECT ok FROM complete) AS ok
            """)
        guard try updated.first?["ok"].decode(Bool.self) == true else { throw MintStoreError(.quoteState, "a mint quote of the batch is not PAID") }
    }

    // MARK: Melt quotes

    public func addMeltQuote(_ q: MeltQuoteRecord) async throws {
        _ = try await write(
            """
            INSERT INTO melt_quotes (id, method, request, payment_hash, unit, amount, fee_reserve, amount_msat, state, expiry, created_at)
            VALUES (\(q.id), \(q.method), \(q.request), \(q.paymentHash.hex), \(q.unit.rawValue), \(String(q.amount.rawValue))::numeric,
                    \(String(q.feeReserve.rawValue))::numeric, \(String(q.amountMsat))::numeric, \(q.state.rawValue), \(Self.int(q.expiry)),
                    \(Self.int(q.createdAt)))
            """)
    }

    public func beginMelt(
        quoteID: String, inputs: [ProofRecord], blankOutputs: [BlindedMessage], inputAmount: Amount, inputFee: Amount, operation: OperationRecord,
        paymentBackend: String?
    ) async throws {
        let blank = String(decoding: try JSONEncoder().encode(blankOutputs), as: UTF8.self)
        let p = ProofColumns(inputs)
        let t = Self.int(operation.createdAt)
        let updated = try await write(
            """
            WITH pending AS (
                UPDATE melt_quotes SET state = 'PENDING', blank_outputs = \(blank), input_amount = \(String(inputAmount.rawValue))::numeric,
                    input_fee = \(String(inputFee.rawValue))::numeric, payment_attempt_at = \(t), payment_backend = \(paymentBackend)
                WHERE id = \(quoteID) AND state = 'UNPAID' RETURNING id
            ), ins_operation AS (
                INSERT INTO operations (id, kind, quote_id, unit, fee, created_at)
                SELECT \(operation.id), 'melt', \(quoteID), \(operation.unit.rawValue), \(String(operation.fee.rawValue))::numeric, \(t)
                WHERE EXISTS (SELECT 1 FROM pending)
            ), ins_proofs AS (
                INSERT INTO proofs (y, amount, keyset_id, secret, c, witness, state, operation_id, melt_quote_id, created_at, position)
                SELECT y, a::numeric, k, sec, c, NULLIF(w, ''), 'pending', \(operation.id), \(quoteID), \(t), NULLIF(pos, -1)
                FROM unnest(\(p.ys)::text[], \(p.amounts)::text[], \(p.keysets)::text[], \(p.secrets)::text[], \(p.cs)::text[], \(p.witnesses)::text[],
                            \(p.positions)::int4[])
                    AS t(y, a, k, sec, c, w, pos)
                WHERE EXISTS (SELECT 1 FROM pending)
            )
            SELECT count(*)::bigint AS n FROM pending
            """, inputs: p.ys)
        guard let n = try updated.first?.int("n"), n == 1 else { throw MintStoreError(.quoteState, "melt quote \(quoteID) is not UNPAID") }
    }

    public func completeMelt(quoteID: String, preimage: String?, feePaid: Amount, change: [SignatureRecord], at time: UInt64) async throws {
        try await complete(quoteID: quoteID, mintQuoteID: nil, preimage: preimage, feePaid: feePaid, change: change, at: time)
    }

    public func completeInternalMelt(quoteID: String, mintQuoteID: String, change: [SignatureRecord], at time: UInt64) async throws {
        try await complete(quoteID: quoteID, mintQuoteID: mintQuoteID, preimage: nil, feePaid: 0, change: change, at: time)
    }

    /// PENDING → PAID with change; for internal melts also the mint quote UNPAID → PAID, in the same statement and
    /// conditional on it.
    func complete(quoteID: String, mintQuoteID: String?, preimage: String?, feePaid: Amount, change: [SignatureRecord], at time: UInt64) async throws {
        let s = SignatureColumns(change)
        let t = Self.int(time)
        let internalPayment = mintQuoteID != nil
        let updated = try await write(
            """
            WITH own AS (
                UPDATE mint_quotes SET state = 'PAID', paid_at = \(t) WHERE id = \(mintQuoteID ?? "") AND state = 'UNPAID' AND \(internalPayment)
                RETURNING id
            ), paid AS (
                UPDATE melt_quotes SET state = 'PAID', payment_preimage = \(preimage), fee_paid = \(String(feePaid.rawValue))::numeric, paid_at = \(t)
                WHERE id = \(quoteID) AND state = 'PENDING' AND (NOT \(internalPayment) OR EXISTS (SELECT 1 FROM own))
                RETURNING id
            ), spent AS (
                UPDATE proofs SET state = 'spent', melt_quote_id = NULL
                WHERE melt_quote_id = \(quoteID) AND state = 'pending' AND EXISTS (SELECT 1 FROM paid)
            ), ins_signatures AS (
                INSERT INTO blind_signatures (b, amount, keyset_id, c, dleq_e, dleq_s, operation_id, created_at, position)
                SELECT b, a::numeric, k, c, e, s, (SELECT id FROM operations WHERE quote_id = \(quoteID) AND kind = 'melt'), \(t), NULLIF(pos, -1)
                FROM unnest(\(s.bs)::text[], \(s.amounts)::text[], \(s.keysets)::text[], \(s.cs)::text[], \(s.es)::text[], \(s.ss)::text[],
                            \(s.positions)::int4[])
                    AS t(b, a, k, c, e, s, pos)
                WHERE EXISTS (SELECT 1 FROM paid)
            )
            SELECT count(*)::bigint AS n FROM paid
            """)
        guard let n = try updated.first?.int("n"), n == 1 else {
            throw MintStoreError(.quoteState, internalPayment ? "mint quote or melt quote moved on" : "melt quote \(quoteID) is not PENDING")
        }
    }

    public func failMelt(quoteID: String, attempt: UInt64?) async throws {
        let expected = attempt.map { Self.int($0) }
        let updated = try await write(
            """
            WITH released AS (
                UPDATE melt_quotes SET state = 'UNPAID', blank_outputs = NULL, input_amount = NULL, input_fee = NULL, payment_attempt_at = NULL,
                    payment_backend = NULL
                WHERE id = \(quoteID) AND state = 'PENDING' AND (\(expected)::bigint IS NULL OR payment_attempt_at = \(expected)::bigint) RETURNING id
            ), del_proofs AS (
                DELETE FROM proofs WHERE melt_quote_id = \(quoteID) AND state = 'pending' AND EXISTS (SELECT 1 FROM released)
            ), del_operation AS (
                DELETE FROM operations WHERE quote_id = \(quoteID) AND kind = 'melt' AND EXISTS (SELECT 1 FROM released)
            )
            SELECT count(*)::bigint AS n FROM released
            """)
        guard let n = try updated.first?.int("n"), n == 1 else { throw MintStoreError(.quoteState, "melt quote \(quoteID) is not PENDING") }
    }

    public func claimPaymentAttempt(quoteID: String, from expected: UInt64?, to time: UInt64) async throws -> Bool {
        let from = expected.map { Self.int($0) }
        let claimed = try await write(
            """
            WITH claimed AS (
                UPDATE melt_quotes SET payment_attempt_at = \(Self.int(time))
                WHERE id = \(quoteID) AND state = 'PENDING' AND payment_attempt_at IS NOT DISTINCT FROM \(from)::bigint
                RETURNING id
            )
            SELECT count(*)::bigint AS n FROM claimed
            """)
        return try claimed.first?.int("n") == 1
    }
}
