import CashuCrypto
import CashuProtocol

/// One consistent, read-only view of the ledger for the auditor (Specs/audit.md): every read sees the same snapshot,
/// even while mint processes keep writing. The stores implement it on one connection in one read transaction
/// (PostgreSQL `REPEATABLE READ, READ ONLY`; an SQLite read transaction), so it needs nothing but read rights.
///
/// Rows the auditor walks come in pages from scans in a fixed order; a row that does not parse (a damaged or edited
/// ledger) is returned with its key and the reason, so that it becomes a finding rather than an error.
public protocol LedgerAuditSnapshot: Sendable {
    /// Every keyset.
    func keysets() async throws -> [KeysetRecord]
    /// Per keyset and amount: how many signatures were issued and how many proofs are spent and pending.
    func amountCounts() async throws -> [AuditAmountCount]
    /// The sums per keyset and unit, with the running totals, as `MintStore.auditTotals` gives them.
    func totals() async throws -> AuditTotals
    /// Operations in ascending `id` (byte order), each with its quote.
    func operations() async throws -> AuditPages<AuditOperationRow>
    /// Proofs in ascending `operation_id` (byte order).
    func proofs() async throws -> AuditPages<AuditProofRow>
    /// Blind signatures in ascending `operation_id` (byte order).
    func signatures() async throws -> AuditPages<AuditSignatureRow>
    /// Mint quotes that are PAID or ISSUED, with how many mint operations name each.
    func mintQuotes() async throws -> AuditPages<AuditMintQuoteRow>
    /// Melt quotes that are PENDING or PAID, with how many melt operations name each and how many proofs it holds.
    func meltQuotes() async throws -> AuditPages<AuditMeltQuoteRow>
    /// Closed epochs, ascending.
    func epochs() async throws -> [AuditEpochRow]
    /// Proof-of-liabilities epochs, ascending.
    func liabilityEpochs() async throws -> [LiabilityEpochRecord]
    /// The leaves of a keyset's tree from ledger epochs `after+1 ... through`, as `LiabilityLedger` gives them.
    func liabilityLeaves(keyset: String, tree: LiabilityTree, after: UInt64, through: UInt64) async throws -> [LiabilityLeafRow]
    /// For an incremental audit: the operations in no epoch or in an epoch after `epoch`, ascending ID, each with
    /// its proofs and signatures (rows that name no operation are not found this way: a full audit finds them).
    func operations(after epoch: UInt64) async throws -> AuditPages<AuditOperationRows>
}

/// One operation with its rows.
public struct AuditOperationRows: Sendable {
    public var operation: AuditOperationRow
    public var proofs: [AuditProofRow]
    public var signatures: [AuditSignatureRow]

    public init(operation: AuditOperationRow, proofs: [AuditProofRow], signatures: [AuditSignatureRow]) {
        self.operation = operation
        self.proofs = proofs
        self.signatures = signatures
    }
}

/// A closed epoch as the ledger records it.
public struct AuditEpochRow: Sendable {
    public var epoch: SignedEpoch
    public var closedAt: UInt64
    public var operations: UInt64
    public var root: String
    public var previous: String

    public init(epoch: SignedEpoch, closedAt: UInt64, operations: UInt64, root: String, previous: String) {
        self.epoch = epoch
        self.closedAt = closedAt
        self.operations = operations
        self.root = root
        self.previous = previous
    }
}

/// A store that can give the auditor a snapshot.
public protocol LedgerAuditing: Sendable {
    /// Runs `body` on one read-only snapshot of the ledger.
    func withAuditSnapshot<T: Sendable>(_ body: @escaping @Sendable (any LedgerAuditSnapshot) async throws -> T) async throws -> T
}

/// A scan in pages: `next()` returns the following rows, and an empty page at the end.
public struct AuditPages<Row: Sendable>: Sendable {
    let fetch: @Sendable () async throws -> [Row]

    public init(_ fetch: @escaping @Sendable () async throws -> [Row]) { self.fetch = fetch }

    public func next() async throws -> [Row] { try await fetch() }
}

/// Row counts of one keyset and amount.
public struct AuditAmountCount: Sendable, Hashable {
    /// The `keyset_id` as stored (it may name no keyset).
    public var keysetID: String
    /// The amount as stored, nil if it is not an unsigned 64-bit integer.
    public var amount: Amount?
    public var issued: UInt64
    public var spent: UInt64
    public var pending: UInt64

    public init(keysetID: String, amount: Amount?, issued: UInt64 = 0, spent: UInt64 = 0, pending: UInt64 = 0) {
        self.keysetID = keysetID
        self.amount = amount
        self.issued = issued
        self.spent = spent
        self.pending = pending
    }
}

extension AuditAmountCount {
    /// Gathers the rows of the counting query (per keyset, amount and kind: `issued`, `spent` or `pending`) into
    /// one count per keyset and amount. Both stores read their rows through this.
    public struct Tally: Sendable {
        var counts = [String: AuditAmountCount]()

        public init() {}

        /// One row: `amount` as the database prints it (not an unsigned 64-bit integer: recorded as nil).
        public mutating func record(keysetID: String, amount: String, kind: String, count: UInt64) {
            let key = keysetID + "/" + amount
            var c = counts[key] ?? AuditAmountCount(keysetID: keysetID, amount: UInt64(amount).map { Amount($0) })
            switch kind {
            case "issued": c.issued += count
            case "spent": c.spent += count
            default: c.pending += count
            }
            counts[key] = c
        }

        public var all: [AuditAmountCount] { Array(counts.values) }
    }
}

/// An operation as the auditor reads it.
public struct AuditOperationRow: Sendable {
    public var id: String
    /// The operation, or why its row does not parse.
    public var record: Result<OperationRecord, AuditMalformedError>
    /// The mint quote a `mint` operation names (nil: no such row).
    public var mintQuote: Result<MintQuoteRecord, AuditMalformedError>?
    /// The melt quote a `melt` operation names (nil: no such row).
    public var meltQuote: Result<MeltQuoteRecord, AuditMalformedError>?
    /// A NUT-29 batch `mint` operation (its `quote_id` lists several quotes, joined by commas): each listed quote in
    /// order, nil where no such row exists. Nil for every other operation.
    public var batchMintQuotes: [Result<MintQuoteRecord, AuditMalformedError>?]?
    /// The epoch it was assigned to (nil while waiting for one) and the digest recorded then.
    public var epoch: UInt64?
    public var digest: String?

    public init(
        id: String, record: Result<OperationRecord, AuditMalformedError>, mintQuote: Result<MintQuoteRecord, AuditMalformedError>?,
        meltQuote: Result<MeltQuoteRecord, AuditMalformedError>?, epoch: UInt64? = nil, digest: String? = nil
    ) {
        self.epoch = epoch
        self.digest = digest
        self.id = id
        self.record = record
        self.mintQuote = mintQuote
        self.meltQuote = meltQuote
    }
}

/// A proof with where it belongs.
public struct AuditProofRow: Sendable {
    public var y: String
    public var operationID: String
    public var record: Result<ProofRecord, AuditMalformedError>
    public var state: ProofState
    public var meltQuoteID: String?
    public var createdAt: UInt64

    public init(y: String, operationID: String, record: Result<ProofRecord, AuditMalformedError>, state: ProofState, meltQuoteID: String?, createdAt: UInt64) {
        self.y = y
        self.operationID = operationID
        self.record = record
        self.state = state
        self.meltQuoteID = meltQuoteID
        self.createdAt = createdAt
    }
}

/// A blind signature with where it belongs.
public struct AuditSignatureRow: Sendable {
    public var b: String
    public var operationID: String
    public var record: Result<SignatureRecord, AuditMalformedError>
    public var createdAt: UInt64

    public init(b: String, operationID: String, record: Result<SignatureRecord, AuditMalformedError>, createdAt: UInt64) {
        self.b = b
        self.operationID = operationID
        self.record = record
        self.createdAt = createdAt
    }
}

/// A mint quote with the number of mint operations that name it.
public struct AuditMintQuoteRow: Sendable {
    public var id: String
    public var record: Result<MintQuoteRecord, AuditMalformedError>
    public var operations: Int
    /// Settled before this ledger's history began (`cashew-mint import nutshell`): another backend was paid.
    public var imported: Bool

    public init(id: String, record: Result<MintQuoteRecord, AuditMalformedError>, operations: Int, imported: Bool = false) {
        self.id = id
        self.record = record
        self.operations = operations
        self.imported = imported
    }
}

/// A melt quote with the number of melt operations that name it and of the proofs it holds pending.
public struct AuditMeltQuoteRow: Sendable {
    public var id: String
    public var record: Result<MeltQuoteRecord, AuditMalformedError>
    public var operations: Int
    public var pendingProofs: Int
    /// Settled before this ledger's history began (imported).
    public var imported: Bool

    public init(id: String, record: Result<MeltQuoteRecord, AuditMalformedError>, operations: Int, pendingProofs: Int, imported: Bool = false) {
        self.id = id
        self.record = record
        self.operations = operations
        self.pendingProofs = pendingProofs
        self.imported = imported
    }
}

/// Why a ledger row does not parse.
public struct AuditMalformedError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }

    /// `body`'s value, or its error's description as a malformed-row reason.
    public static func catching<T>(_ body: () throws -> T) -> Result<T, AuditMalformedError> {
        do { return .success(try body()) } catch let error as MintStoreError { return .failure(.init(error.message)) } catch {
            return .failure(.init("\(error)"))
        }
    }
}
