import CashewEncoding
import CashewSQLite
import CashuCrypto
import CashuProtocol
import Foundation
import Logging
import SQLiteNIO
import Secp256k1

/// The wallet's database: one SQLite file (WAL, `synchronous = FULL`), one connection, one transaction at a time.
///
/// Writes that must not be torn apart (new proofs stored together with their inputs marked spent and the
/// operation closed) are single transactions, so a crash leaves either the state before or the state after.
public final class WalletStore: Sendable {
    let database: SerialSQLiteDatabase

    init(database: SerialSQLiteDatabase) { self.database = database }

    /// Opens (creating if needed) the wallet database at `path` (`":memory:"` for a throw-away one) and migrates it.
    public static func open(path: String, logger: Logger = Logger(label: "cashew-wallet")) async throws -> WalletStore {
        let store = WalletStore(database: try await SerialSQLiteDatabase.open(path: path, logger: logger))
        do {
            _ = try await store.transaction { db in try await SQLiteMigrator.apply(.wallet, on: db) }
        } catch {
            try? await store.close()
            throw error
        }
        return store
    }

    /// Closes the database.
    public func close() async throws { try await database.close() }

    func transaction<T: Sendable>(_ body: (SQLiteConnection) async throws -> T) async throws -> T { try await database.transaction(body) }

    func read<T: Sendable>(_ body: (SQLiteConnection) async throws -> T) async throws -> T { try await database.read(body) }

    static func now() -> UInt64 { UInt64(Date().timeIntervalSince1970) }

    // MARK: Mints

    /// Adds a mint (no-op if known); the first mint added becomes the default.
    public func addMint(_ url: String) async throws {
        try await transaction { db in
            let any = try await db.query("SELECT 1 FROM mints LIMIT 1")
            _ = try await db.query(
                "INSERT INTO mints (url, is_default, added_at) VALUES (?, ?, ?) ON CONFLICT (url) DO NOTHING",
                [.text(url), .integer(any.isEmpty ? 1 : 0), .uint(Self.now())])
        }
    }

    /// Makes `url` (which must be known) the default mint.
    public func setDefaultMint(_ url: String) async throws {
        try await transaction { db in
            guard !(try await db.query("SELECT 1 FROM mints WHERE url = ?", [.text(url)])).isEmpty else {
                throw WalletStoreError("unknown mint \(url)")
            }
            _ = try await db.query("UPDATE mints SET is_default = 0 WHERE is_default = 1")
            _ = try await db.query("UPDATE mints SET is_default = 1 WHERE url = ?", [.text(url)])
        }
    }

    /// Stores the mint's latest `/v1/info` (JSON).
    public func setMintInfo(_ url: String, info: String) async throws {
        try await transaction { db in _ = try await db.query("UPDATE mints SET info = ? WHERE url = ?", [.text(info), .text(url)]) }
    }

    public func mints() async throws -> [WalletMint] {
        try await read { db in
            try await db.query("SELECT url, is_default, info FROM mints ORDER BY added_at, url").map { row in
                WalletMint(url: try row.text("url"), isDefault: try row.uint("is_default") == 1, info: row.optionalText("info"))
            }
        }
    }

    // MARK: Keysets

    /// Stores a keyset from a mint after checking that its ID is the one its keys give (NUT-02, V1 or V2).
    /// A known keyset keeps its counter; its active flag and fee are updated.
    public func saveKeyset(_ entry: KeysetKeysEntry, mintURL: String) async throws {
        let fee = entry.inputFeePPK ?? 0
        let expected: KeysetID = entry.id.version == .v1
            ? .v1(keys: entry.keys)
            : .v2(keys: entry.keys, unit: entry.unit, inputFeePPK: fee, finalExpiry: entry.finalExpiry)
        guard expected == entry.id else {
            throw WalletStoreError("keyset \(entry.id) from \(mintURL) does not match its keys (expected \(expected)): refusing it")
        }
        let keys = String(decoding: try JSONEncoder().encode(entry.keys), as: UTF8.self)
        try await transaction { db in
            _ = try await db.query(
                """
                INSERT INTO keysets (id, mint_url, unit, active, input_fee_ppk, final_expiry, keys, counter) VALUES (?, ?, ?, ?, ?, ?, ?, 0)
                ON CONFLICT (id) DO UPDATE SET active = excluded.active, input_fee_ppk = excluded.input_fee_ppk
                """,
                [.text(entry.id.hex), .text(mintURL), .text(entry.unit.rawValue), .integer(entry.active == false ? 0 : 1), .uint(fee),
                 .optionalUInt(entry.finalExpiry), .text(keys)])
        }
    }

    public func keysets(mintURL: String) async throws -> [WalletKeyset] {
        try await read { db in
            try await db.query("SELECT * FROM keysets WHERE mint_url = ? ORDER BY unit, id", [.text(mintURL)]).map(Self.keyset)
        }
    }

    static func keyset(_ row: SQLiteRow) throws -> WalletKeyset {
        WalletKeyset(
            id: try KeysetID(hex: row.text("id")), mintURL: try row.text("mint_url"), unit: CurrencyUnit(try row.text("unit")),
            active: try row.uint("active") == 1, inputFeePPK: try row.uint("input_fee_ppk"), finalExpiry: row.optionalUInt("final_expiry"),
            keys: try JSONDecoder().decode(KeysetKeys.self, from: Data(try row.text("keys").utf8)), counter: UInt32(truncatingIfNeeded: try row.uint("counter")))
    }

    /// Reserves `count` NUT-13 derivation indices of a keyset and returns the first. The counter is committed before
    /// any output derived from it is sent, so no index is ever used for two different outputs.
    public func reserveCounter(_ id: KeysetID, count: UInt32) async throws -> UInt32 {
        try await transaction { db in
            let rows = try await db.query(
                "UPDATE keysets SET counter = counter + ? WHERE id = ? RETURNING counter", [.integer(Int(count)), .text(id.hex)])
            guard let next = rows.first?.optionalUInt("counter") else { throw WalletStoreError("unknown keyset \(id)") }
            return UInt32(truncatingIfNeeded: next) &- count
        }
    }

    /// Moves a keyset's counter forward to at least `value` (after a restore found outputs up to there).
    public func advanceCounter(_ id: KeysetID, to value: UInt32) async throws {
        try await transaction { db in
            _ = try await db.query("UPDATE keysets SET counter = MAX(counter, ?) WHERE id = ?", [.integer(Int(value)), .text(id.hex)])
        }
    }

    // MARK: Proofs

    /// Stores proofs in `state` (already-known `Y`s are left as they are: a proof is never stored twice).
    public func addProofs(_ proofs: [Proof], mintURL: String, state: WalletProofState = .unspent, operationID: String? = nil) async throws {
        try await transaction { db in try await Self.insert(proofs, mintURL: mintURL, state: state, operationID: operationID, db) }
    }

    static func insert(_ proofs: [Proof], mintURL: String, state: WalletProofState, operationID: String?, _ db: SQLiteConnection) async throws {
        let now = Self.now()
        for proof in proofs {
            let dleq = try proof.dleq.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
            _ = try await db.query(
                """
                INSERT INTO proofs (y, mint_url, keyset_id, amount, secret, c, dleq, witness, state, operation_id, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (y) DO NOTHING
                """,
                [.text(try proof.y.hex), .text(mintURL), .text(proof.id.hex), .amount(proof.amount), .text(proof.secret), .text(proof.signature.hex),
                 .optionalText(dleq), .optionalText(proof.witness), .text(state.rawValue), .optionalText(operationID), .uint(now), .uint(now)])
        }
    }

    /// Proofs of a mint in the given states (all units, or one), oldest first.
    public func proofs(mintURL: String, unit: CurrencyUnit? = nil, states: Set<WalletProofState> = [.unspent]) async throws -> [StoredProof] {
        let stateList = states.map { "'\($0.rawValue)'" }.sorted().joined(separator: ",")
        guard !stateList.isEmpty else { return [] }
        return try await read { db in
            var sql = "SELECT p.* FROM proofs p JOIN keysets k ON k.id = p.keyset_id WHERE p.mint_url = ? AND p.state IN (\(stateList))"
            var binds: [SQLiteData] = [.text(mintURL)]
            if let unit {
                sql += " AND k.unit = ?"
                binds.append(.text(unit.rawValue))
            }
            return try await db.query(sql + " ORDER BY p.created_at, p.y", binds).map(Self.storedProof)
        }
    }

    /// The global digest of each liabilities epoch this wallet has seen from `mintURL` (`cashew audit-mint`).
    public func liabilityDigests(mintURL: String) async throws -> [UInt64: String] {
        try await read { db in
            var seen = [UInt64: String]()
            for r in try await db.query("SELECT epoch, global_digest FROM liability_digests WHERE mint_url = ?", [.text(mintURL)]) {
                seen[try r.uint("epoch")] = try r.text("global_digest")
            }
            return seen
        }
    }

    /// Remembers digests of liabilities epochs (ones already remembered are kept as they were).
    public func rememberLiabilityDigests(mintURL: String, _ digests: [UInt64: String]) async throws {
        try await transaction { db in
            for (epoch, digest) in digests {
                _ = try await db.query(
                    "INSERT INTO liability_digests (mint_url, epoch, global_digest) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [.text(mintURL), .uint(epoch), .text(digest)])
            }
        }
    }

    /// Schedules taking back `token` (serialized) at `mintURL` once `dueAt` has passed.
    public func scheduleReclaim(token: String, mintURL: String, dueAt: UInt64) async throws {
        try await transaction { db in
            _ = try await db.query(
                "INSERT INTO reclaims (token, mint_url, due_at) VALUES (?, ?, ?) ON CONFLICT (token) DO UPDATE SET due_at = excluded.due_at",
                [.text(token), .text(mintURL), .uint(dueAt)])
        }
    }

    /// The scheduled tokens of `mintURL` due at `now`.
    public func dueReclaims(mintURL: String, now: UInt64) async throws -> [String] {
        try await read { db in
            try await db.query("SELECT token FROM reclaims WHERE mint_url = ? AND due_at <= ? ORDER BY due_at", [.text(mintURL), .uint(now)]).map { try $0.text("token") }
        }
    }

    /// Forgets a scheduled reclaim (done).
    public func removeReclaim(token: String) async throws {
        try await transaction { db in _ = try await db.query("DELETE FROM reclaims WHERE token = ?", [.text(token)]) }
    }

    // MARK: Payment requests over Nostr

    /// Records a request this wallet made (encoded) with the relays it waits on.
    public func saveRequest(_ record: WalletPaymentRequest) async throws {
        try await transaction { db in
            _ = try await db.query(
                "INSERT INTO payment_requests (id, request, relays, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                [.text(record.id), .text(record.request), .text(String(decoding: try JSONEncoder().encode(record.relays), as: UTF8.self)), .uint(record.createdAt)])
        }
    }

    /// The requests this wallet made, newest first (only the unpaid ones when `open`).
    public func requests(open: Bool = false) async throws -> [WalletPaymentRequest] {
        try await read { db in
            try await db.query("SELECT * FROM payment_requests" + (open ? " WHERE paid_at IS NULL" : "") + " ORDER BY created_at DESC, id").map(Self.request)
        }
    }

    /// The request `id`, if this wallet made it.
    public func request(id: String) async throws -> WalletPaymentRequest? {
        try await read { db in try await db.query("SELECT * FROM payment_requests WHERE id = ?", [.text(id)]).first.map(Self.request) }
    }

    static func request(_ row: SQLiteRow) throws -> WalletPaymentRequest {
        WalletPaymentRequest(
            id: try row.text("id"), request: try row.text("request"),
            relays: try JSONDecoder().decode([String].self, from: Data(try row.text("relays").utf8)), createdAt: try row.uint("created_at"),
            paidAt: row.optionalUInt("paid_at"), received: row.optionalUInt("received"))
    }

    /// Whether the gift wrap `wrapID` was handled before.
    public func inboxHandled(_ wrapID: String) async throws -> Bool {
        try await read { db in !(try await db.query("SELECT 1 FROM nostr_inbox WHERE wrap_id = ?", [.text(wrapID)]).isEmpty) }
    }

    /// Records what came of gift wrap `wrapID` (dated `createdAt`); a payment also marks its request paid (adding to
    /// what it received).
    public func recordInbox(wrapID: String, createdAt: UInt64, requestID: String?, outcome: String, received: UInt64?) async throws {
        try await transaction { db in
            _ = try await db.query(
                "INSERT INTO nostr_inbox (wrap_id, request_id, outcome, seen_at, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (wrap_id) DO NOTHING",
                [.text(wrapID), .optionalText(requestID), .text(outcome), .uint(Wallet.now()), .uint(createdAt)])
            if let requestID, let received {
                _ = try await db.query(
                    "UPDATE payment_requests SET paid_at = coalesce(paid_at, ?), received = coalesce(received, 0) + ? WHERE id = ?",
                    [.uint(Wallet.now()), .uint(received), .text(requestID)])
            }
        }
    }

    /// Forgets handled gift wraps dated before `cutoff` that paid nothing: no query asks for them again, and a stream
    /// of messages that are not payments would otherwise grow the inbox for ever. Received payments stay.
    public func pruneInbox(before cutoff: UInt64) async throws {
        try await transaction { db in
            _ = try await db.query("DELETE FROM nostr_inbox WHERE outcome != 'received' AND coalesce(created_at, seen_at) < ?", [.uint(cutoff)])
        }
    }

    /// Proofs held by an operation.
    public func proofs(operationID: String) async throws -> [StoredProof] {
        try await read { db in try await db.query("SELECT * FROM proofs WHERE operation_id = ? ORDER BY y", [.text(operationID)]).map(Self.storedProof) }
    }

    static func storedProof(_ row: SQLiteRow) throws -> StoredProof {
        let dleq = try row.optionalText("dleq").map { try JSONDecoder().decode(ProofDLEQ.self, from: Data($0.utf8)) }
        let proof = Proof(
            amount: try row.amount("amount"), id: try KeysetID(hex: row.text("keyset_id")), secret: try row.text("secret"),
            signature: try Point(hex: row.text("c")), witness: row.optionalText("witness"), dleq: dleq)
        guard let state = WalletProofState(rawValue: try row.text("state")) else { throw WalletStoreError("bad proof state") }
        return StoredProof(
            proof: proof, y: try row.text("y"), mintURL: try row.text("mint_url"), state: state, operationID: row.optionalText("operation_id"),
            createdAt: try row.uint("created_at"), updatedAt: try row.uint("updated_at"))
    }

    /// Moves the proofs `ys` that are in one of `from` to `to` (held by `operationID`, or by none); returns how many
    /// moved. Proofs in other states are left alone, so two operations cannot take the same proof.
    @discardableResult
    public func transition(_ ys: [String], from: Set<WalletProofState>, to: WalletProofState, operationID: String?) async throws -> Int {
        try await transaction { db in try await Self.transition(ys, from: from, to: to, operationID: operationID, db) }
    }

    static func transition(_ ys: [String], from: Set<WalletProofState>, to: WalletProofState, operationID: String?, _ db: SQLiteConnection) async throws -> Int {
        let fromList = from.map { "'\($0.rawValue)'" }.sorted().joined(separator: ",")
        var moved = 0
        for y in ys {
            let rows = try await db.query(
                "UPDATE proofs SET state = ?, operation_id = ?, updated_at = ? WHERE y = ? AND state IN (\(fromList)) RETURNING y",
                [.text(to.rawValue), .optionalText(operationID), .uint(Self.now()), .text(y)])
            moved += rows.count
        }
        return moved
    }

    /// The unspent balance of a mint in a unit (exact beyond 64 bits).
    public func balance(mintURL: String, unit: CurrencyUnit) async throws -> UInt128 {
        try await proofs(mintURL: mintURL, unit: unit).reduce(UInt128(0)) { $0 + UInt128($1.proof.amount.rawValue) }
    }

    // MARK: Operations

    /// Opens an operation in the journal, reserving `inputs` (which must be unspent) for it, in one transaction.
    /// Throws if any input is no longer unspent (another operation took it).
    public func beginOperation(_ kind: WalletOperation.Kind, mintURL: String, data: String, inputs: [String] = []) async throws -> WalletOperation {
        let operation = WalletOperation(
            id: UUID().uuidString.lowercased(), kind: kind, mintURL: mintURL, state: .open, data: data, createdAt: Self.now())
        try await transaction { db in
            _ = try await db.query(
                "INSERT INTO operations (id, kind, mint_url, state, data, created_at, updated_at) VALUES (?, ?, ?, 'open', ?, ?, ?)",
                [.text(operation.id), .text(kind.rawValue), .text(mintURL), .text(data), .uint(operation.createdAt), .uint(operation.createdAt)])
            let moved = try await Self.transition(inputs, from: [.unspent], to: .reserved, operationID: operation.id, db)
            guard moved == inputs.count else { throw WalletStoreError("some of the selected proofs are no longer unspent") }
        }
        return operation
    }

    /// Updates an open operation's data (e.g. after its request was sent).
    public func updateOperation(_ id: String, data: String) async throws {
        try await transaction { db in
            _ = try await db.query("UPDATE operations SET data = ?, updated_at = ? WHERE id = ?", [.text(data), .uint(Self.now()), .text(id)])
        }
    }

    /// Marks the operation's reserved inputs pending: its request is about to be sent.
    public func markSent(_ id: String) async throws {
        try await transaction { db in
            _ = try await db.query(
                "UPDATE proofs SET state = 'pending', updated_at = ? WHERE operation_id = ? AND state = 'reserved'", [.uint(Self.now()), .text(id)])
        }
    }

    /// Closes an operation in one transaction: its held inputs become `inputsTo` (spent after success, unspent after
    /// a refusal), `newProofs` are stored unspent and `sentProofs` pending (handed over in a token), and `history`
    /// is recorded.
    public func finishOperation(
        _ id: String, state: WalletOperation.State, inputsTo: WalletProofState, newProofs: [Proof] = [], sentProofs: [Proof] = [], mintURL: String,
        history: HistoryEntry? = nil
    ) async throws {
        try await transaction { db in
            let rows = try await db.query(
                "UPDATE operations SET state = ?, updated_at = ? WHERE id = ? AND state = 'open' RETURNING id",
                [.text(state.rawValue), .uint(Self.now()), .text(id)])
            guard !rows.isEmpty else { throw WalletStoreError("operation \(id) is not open") }
            _ = try await db.query(
                "UPDATE proofs SET state = ?, operation_id = NULL, updated_at = ? WHERE operation_id = ? AND state IN ('reserved', 'pending')",
                [.text(inputsTo.rawValue), .uint(Self.now()), .text(id)])
            try await Self.insert(newProofs, mintURL: mintURL, state: .unspent, operationID: nil, db)
            try await Self.insert(sentProofs, mintURL: mintURL, state: .pending, operationID: nil, db)
            if let history { try await Self.insert(history, db) }
        }
    }

    /// Operations left open (by a crash or a lost connection), oldest first.
    public func openOperations() async throws -> [WalletOperation] {
        try await read { db in
            try await db.query("SELECT * FROM operations WHERE state = 'open' ORDER BY created_at, id").map { row in
                guard let kind = WalletOperation.Kind(rawValue: try row.text("kind")), let state = WalletOperation.State(rawValue: try row.text("state")) else {
                    throw WalletStoreError("bad operation row")
                }
                return WalletOperation(
                    id: try row.text("id"), kind: kind, mintURL: try row.text("mint_url"), state: state, data: try row.text("data"),
                    createdAt: try row.uint("created_at"))
            }
        }
    }

    // MARK: Quotes

    /// Stores a quote, or updates its state if known.
    public func saveQuote(_ q: WalletQuote) async throws {
        let now = Self.now()
        try await transaction { db in
            _ = try await db.query(
                """
                INSERT INTO quotes (id, mint_url, kind, request, amount, unit, fee_reserve, state, expiry, created_at, updated_at, secret_key)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (mint_url, id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                """,
                [.text(q.id), .text(q.mintURL), .text(q.kind.rawValue), .text(q.request), .amount(q.amount), .text(q.unit.rawValue),
                 q.feeReserve.map { .amount($0) } ?? .null, .text(q.state), .optionalUInt(q.expiry), .uint(now), .uint(now),
                 .optionalText(q.secretKey?.hex)])
        }
    }

    /// Records the state the mint reported for a quote.
    ///
    /// A mint quote's state never goes back (UNPAID, PAID, ISSUED): NUT-04 forbids a wallet to lower what it knows
    /// was paid or issued on a stale answer (from another mint process, or one that arrived late).
    public func setQuoteState(mintURL: String, id: String, state: String) async throws {
        try await transaction { db in
            _ = try await db.query(
                """
                UPDATE quotes SET state = ?1, updated_at = ?2 WHERE mint_url = ?3 AND id = ?4
                  AND NOT (kind = 'mint' AND \(Self.mintStateRank("state")) > \(Self.mintStateRank("?1")))
                """, [.text(state), .uint(Self.now()), .text(mintURL), .text(id)])
        }
    }

    static func mintStateRank(_ expression: String) -> String {
        "(CASE \(expression) WHEN 'ISSUED' THEN 2 WHEN 'PAID' THEN 1 ELSE 0 END)"
    }

    /// Quotes of a mint, oldest first (`states` nil: all).
    public func quotes(mintURL: String, kind: WalletQuote.Kind, states: Set<String>? = nil) async throws -> [WalletQuote] {
        try await read { db in
            try await db.query("SELECT * FROM quotes WHERE mint_url = ? AND kind = ? ORDER BY created_at, id", [.text(mintURL), .text(kind.rawValue)]).compactMap { row in
                let q = WalletQuote(
                    id: try row.text("id"), mintURL: try row.text("mint_url"), kind: kind, request: try row.text("request"), amount: try row.amount("amount"),
                    unit: CurrencyUnit(try row.text("unit")), feeReserve: row.optionalUInt("fee_reserve").map { Amount($0) }, state: try row.text("state"),
                    expiry: row.optionalUInt("expiry"), secretKey: try row.optionalText("secret_key").map { try Scalar(hex: $0) })
                return states.map { $0.contains(q.state) } ?? true ? q : nil
            }
        }
    }

    // MARK: History

    public func addHistory(_ entry: HistoryEntry) async throws {
        try await transaction { db in try await Self.insert(entry, db) }
    }

    static func insert(_ e: HistoryEntry, _ db: SQLiteConnection) async throws {
        _ = try await db.query(
            "INSERT INTO history (kind, mint_url, unit, amount, fee, memo, token, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(e.kind), .text(e.mintURL), .text(e.unit.rawValue), .amount(e.amount), .amount(e.fee), .optionalText(e.memo), .optionalText(e.token),
             .uint(e.createdAt)])
    }

    /// The newest `limit` entries, newest first.
    public func history(limit: Int = 50) async throws -> [HistoryEntry] {
        try await read { db in
            try await db.query("SELECT * FROM history ORDER BY id DESC LIMIT ?", [.integer(limit)]).map { row in
                HistoryEntry(
                    kind: try row.text("kind"), mintURL: try row.text("mint_url"), unit: CurrencyUnit(try row.text("unit")), amount: try row.amount("amount"),
                    fee: try row.amount("fee"), memo: row.optionalText("memo"), token: row.optionalText("token"), createdAt: try row.uint("created_at"))
            }
        }
    }
}
