/// One inconsistency the auditor found (Specs/audit.md): which check, how bad, which row, and, where money is
/// concerned, how much and who lost it.
public struct AuditFinding: Sendable, Hashable, Codable {
    /// How serious a finding is.
    public enum Severity: String, Sendable, Hashable, Codable, Comparable {
        /// Money may have been created or taken: forged proofs, a leaked key, issuance without payment.
        case critical
        /// The ledger contradicts itself.
        case error
        /// Something to look at (stuck payments, old rows the auditor cannot check fully).
        case warning
        /// Recorded for completeness; does not change the exit status.
        case info

        var rank: Int {
            switch self {
            case .critical: 0
            case .error: 1
            case .warning: 2
            case .info: 3
            }
        }

        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// Who is worse off.
    public enum Direction: String, Sendable, Hashable, Codable {
        /// The mint owes more than it received (value created from nothing).
        case mintLost = "mint_lost"
        /// Users received less than they were due.
        case usersLost = "users_lost"
    }

    public var check: AuditCheck
    public var severity: Severity
    /// The table the row is in.
    public var table: String
    /// The row's primary key (for an aggregate, what it is grouped by, like `keyset/amount`).
    public var key: String
    public var detail: String
    /// The amount at stake, in the unit of the row, where one applies.
    public var amount: UInt128?
    public var direction: Direction?

    public init(check: AuditCheck, severity: Severity, table: String, key: String, detail: String, amount: UInt128? = nil, direction: Direction? = nil) {
        self.check = check
        self.severity = severity
        self.table = table
        self.key = key
        self.detail = detail
        self.amount = amount
        self.direction = direction
    }
}

/// The auditor's named checks.
public enum AuditCheck: String, Sendable, Hashable, Codable, CaseIterable {
    /// Redeemed plus pending exceeds issued for a keyset and amount: forged proofs or a leaked key.
    case emergency
    /// A keyset's public keys are missing, do not re-derive its ID, or (with the seed) are not the seed's.
    case keysetKeys = "keyset_keys"
    /// A blind signature's DLEQ proof does not verify against the keyset's public key for its amount.
    case issuedSignatures = "issued_signatures"
    /// A redeemed proof: `Y ≠ hash_to_curve(secret)`, or (with the seed) `k·Y ≠ C`.
    case redeemedProofs = "redeemed_proofs"
    /// A stored witness does not satisfy its secret's spending conditions (NUT-10/11/14, SIG_ALL).
    case spendingConditions = "spending_conditions"
    /// An operation's inputs, outputs, fee and quote do not add up.
    case conservation
    /// A row signed by a keyset outside its life, or spent after the keyset's final expiry.
    case keysetValidity = "keyset_validity"
    /// An operation without its rows, rows without their operation, a quote issued twice or never.
    case operationRows = "operation_rows"
    /// The database's running totals differ from the tables.
    case runningTotals = "running_totals"
    /// Melts pending too long, quotes paid and not issued, proofs pending without a pending melt.
    case lag
    /// The backend's payments against the ledger's quotes: a mint quote issued without a settled incoming payment,
    /// a paid melt without a succeeded outgoing payment or with another fee, an outgoing payment no melt justifies,
    /// an internal settlement without its mint quote.
    case reconciliation
    /// The backend holds less than the e-cash outstanding plus pending melts of the units it serves.
    case solvency
    /// The tamper-evident history: an epoch whose commitment, signature or chain does not hold, an operation
    /// edited after its epoch closed, a closed epoch whose operations no longer give its root, an operation
    /// back-dated into the past.
    case epochs
    /// The published proof of liabilities: a liabilities epoch whose chain, digest, signatures or keyset list
    /// does not hold, a keyset's lifecycle broken, or a tree that is not the ledger's rows.
    case liabilities
    /// A row that does not parse.
    case malformed
}
