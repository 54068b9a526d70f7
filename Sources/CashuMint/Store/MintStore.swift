import CashuCrypto
import CashuProtocol
import Secp256k1

/// The mint's ledger. Implementations (SQLite, PostgreSQL) must make every write that spends proofs or issues
/// signatures atomic and decided by the database: unique keys on `Y` and `B_`, conditional state changes, and
/// failures classified from the database's own error codes. Two mint processes on one database must stay safe.
public protocol MintStore: Sendable {
    /// The store's lifecycle (a connection pool's run loop); returns when cancelled. Statements need it running.
    func run() async throws
    /// Applies pending migrations; returns their names.
    func migrate() async throws -> [String]
    /// Closes the store; nothing may use it afterwards.
    func close() async throws

    /// Throws `unavailable` unless the ledger answers a trivial query now (`/health`). Must not wait long.
    func checkHealth() async throws

    // MARK: Keysets

    /// All keysets.
    func keysets() async throws -> [KeysetRecord]
    /// Adds a keyset; when it is active, the unit's previously active keyset is deactivated in the same transaction.
    /// Throws `duplicate` if the ID exists (another mint process may have created the same deterministic keyset).
    func addKeyset(_ keyset: KeysetRecord) async throws
    /// Makes every keyset of `unit` inactive (the unit is no longer offered; its proofs stay redeemable), recording
    /// the time it stopped signing.
    func deactivateKeysets(unit: CurrencyUnit) async throws
    /// Records the public keys of keysets created before they were kept; a keyset that has them keeps its own.
    func fillKeysetPublicKeys(_ keys: [KeysetID: [Point]]) async throws

    // MARK: Operations

    /// Records an operation that has no rows of its own: a quote settled before the ledger's history began
    /// (`cashew-mint import nutshell`), so that the auditor finds the operation its quote says happened. Does
    /// nothing when the ID exists.
    func recordOperation(_ operation: OperationRecord) async throws

    // MARK: Swaps

    /// Spends `inputs` and records `outputs` and the operation, all or nothing.
    /// Throws `proofsSpent`, `proofsPending` or `outputsSigned` on conflict.
    func swap(inputs: [ProofRecord], outputs: [SignatureRecord], operation: OperationRecord) async throws

    // MARK: Mint quotes

    func addMintQuote(_ quote: MintQuoteRecord) async throws
    func mintQuote(id: String) async throws -> MintQuoteRecord?
    func mintQuote(paymentHash: PaymentHash) async throws -> MintQuoteRecord?
    /// UNPAID → PAID. Returns false if the quote was not UNPAID (already paid or issued).
    func markMintQuotePaid(id: String, at time: UInt64) async throws -> Bool
    /// PAID → ISSUED together with recording `outputs` and the operation, all or nothing. Throws `quoteState` when the
    /// quote is not PAID at that moment (unpaid, or issued by a concurrent request), `outputsSigned` on conflict.
    func issueMintQuote(id: String, outputs: [SignatureRecord], operation: OperationRecord) async throws
    /// NUT-29: every quote of `ids` PAID → ISSUED together with `outputs` and the one operation (whose `quoteID` is
    /// the IDs joined by commas), and a `mint_batch_quotes` row per quote; all or nothing. Throws `quoteState`
    /// unless every quote is PAID at that moment, `outputsSigned` on conflict.
    func issueMintQuotes(ids: [String], outputs: [SignatureRecord], operation: OperationRecord) async throws

    /// PAID → UNPAID (an operator's correction through the management API). Returns false if the quote was not PAID.
    func markMintQuoteUnpaid(id: String) async throws -> Bool

    // MARK: Melt quotes

    func addMeltQuote(_ quote: MeltQuoteRecord) async throws
    func meltQuote(id: String) async throws -> MeltQuoteRecord?
    /// UNPAID → PENDING, with `inputs` recorded as pending and the blank outputs, input amount and fee kept on the
    /// quote, all or nothing; the payment attempt is stamped with the operation's time and `paymentBackend`. Throws
    /// `quoteState`, `proofsSpent` or `proofsPending`.
    func beginMelt(
        quoteID: String, inputs: [ProofRecord], blankOutputs: [BlindedMessage], inputAmount: Amount, inputFee: Amount, operation: OperationRecord,
        paymentBackend: String?) async throws
    /// PENDING → PAID: the pending inputs become spent, change signatures are recorded.
    func completeMelt(quoteID: String, preimage: String?, feePaid: Amount, change: [SignatureRecord], at time: UInt64) async throws
    /// Settles a melt that pays one of this mint's own invoices: in one transaction the mint quote goes UNPAID → PAID
    /// and the melt PENDING → PAID with its change. Throws `quoteState` if the mint quote is not UNPAID.
    func completeInternalMelt(quoteID: String, mintQuoteID: String, change: [SignatureRecord], at time: UInt64) async throws
    /// PENDING → UNPAID: the pending inputs are released (deleted), as if the melt never started. With `attempt`,
    /// only while the quote's payment attempt is still that one (a sender whose attempt was superseded by a newer
    /// one must not release the inputs); throws `quoteState` otherwise.
    func failMelt(quoteID: String, attempt: UInt64?) async throws
    /// Moves a PENDING melt's payment attempt from `expected` (the value read, nil for none) to `time`, atomically:
    /// of several callers that read the same attempt, exactly one gets true and may send the payment.
    func claimPaymentAttempt(quoteID: String, from expected: UInt64?, to time: UInt64) async throws -> Bool
    /// Melt quotes in the PENDING state (for start-up recovery).
    func pendingMeltQuotes() async throws -> [MeltQuoteRecord]

    // MARK: Epochs

    /// Closes the next epoch (Specs/audit.md). In one transaction, with one closer at a time across processes: takes
    /// at most `limit` settled operations that belong to no epoch (ascending ID; a melt once its quote is PAID) with
    /// their inputs and outputs, lets `seal` make the signed epoch of them, assigns them to it with their digests,
    /// and records it. Returns nil, writing nothing, when no operation is waiting.
    func closeEpoch(limit: Int, seal: @escaping @Sendable (EpochDraft) throws -> SealedEpoch) async throws -> SignedEpoch?
    /// Closed epochs numbered `number` and up, ascending, at most `limit`.
    func epochs(from number: UInt64, limit: Int) async throws -> [SignedEpoch]

    // MARK: Settings

    /// The settings the management API changed (a `SettingsOverrides` JSON document) and its version; nil before any
    /// were saved.
    func settingsOverrides() async throws -> (document: String, version: Int64)?
    /// Saves `document` as version `expected + 1` if the stored version is still `expected` (0: none saved yet).
    /// Returns false when another writer saved first (the caller reads again and retries).
    func saveSettingsOverrides(_ document: String, expected: Int64, at time: UInt64) async throws -> Bool

    // MARK: Queries

    /// States of the given `Y`s that the ledger knows (absent means unspent), with witnesses.
    func proofStates(ys: [String]) async throws -> [String: (state: ProofState, witness: String?)]
    /// Signatures issued on the given `B_`s.
    func signatures(blindedMessages: [String]) async throws -> [String: SignatureRecord]
    /// The change signatures a melt issued (NUT-08), by `B_`: only those of the melt's own operation, even if a
    /// wallet reused one of its blank outputs elsewhere.
    func meltChange(quoteID: String) async throws -> [String: SignatureRecord]

    // MARK: Audit

    /// Per keyset: the sums issued and redeemed, and per unit the fees kept.
    func auditTotals() async throws -> AuditTotals
    /// The running totals the database keeps on every write (`ledger_totals`): the sums `auditTotals` computes from
    /// the tables, read from a few rows. Metrics, the solvency watchdog and `max_balance` read these; the audit
    /// compares them with its own sums.
    func ledgerTotals() async throws -> AuditTotals
    /// How many melts are PENDING.
    func pendingMeltCount() async throws -> Int
    /// The connection pool: connections leased now, and the most it opens (nil for a store without one).
    var poolUsage: (leased: Int, maximum: Int)? { get }
}

extension MintStore {
    public var poolUsage: (leased: Int, maximum: Int)? { nil }

    public func run() async throws {
        // A store with nothing to run: wait for cancellation.
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }

    /// Runs `body` with the store's lifecycle (`run()`) beside it, for work outside the mint's service group
    /// (operator commands, tests); the lifecycle is cancelled when `body` returns.
    public func whileRunning<T>(_ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}

extension MintStore {
    /// `beginMelt` without a backend name.
    public func beginMelt(
        quoteID: String, inputs: [ProofRecord], blankOutputs: [BlindedMessage], inputAmount: Amount, inputFee: Amount, operation: OperationRecord
    ) async throws {
        try await beginMelt(
            quoteID: quoteID, inputs: inputs, blankOutputs: blankOutputs, inputAmount: inputAmount, inputFee: inputFee, operation: operation, paymentBackend: nil)
    }

    /// `failMelt` whatever the payment attempt (no payment was sent: an internal settlement, a refusal before sending).
    public func failMelt(quoteID: String) async throws { try await failMelt(quoteID: quoteID, attempt: nil) }
}
