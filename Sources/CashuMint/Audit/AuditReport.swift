import CashuCrypto

/// The operator's view of the ledger (Specs/audit.md): per keyset what was issued and redeemed, the outstanding
/// liability, and the fees the mint kept; optionally the result of re-verifying every redeemed proof.
public struct AuditReport: Sendable, Codable {
    public struct Keyset: Sendable, Codable {
        public var id: String
        public var unit: String
        public var active: Bool
        public var inputFeePPK: UInt64
        public var issued: UInt128
        public var issuedCount: UInt64
        public var redeemed: UInt128
        public var redeemedCount: UInt64
        /// Held by melts whose payment is not settled.
        public var pending: UInt128
        public var pendingCount: UInt64
        /// issued − redeemed − pending: e-cash in circulation the mint owes.
        public var outstanding: UInt128
        /// True when more was redeemed than issued (a sign of forged or foreign proofs).
        public var overdrawn: Bool

        enum CodingKeys: String, CodingKey {
            case id, unit, active, issued, redeemed, pending, outstanding, overdrawn
            case inputFeePPK = "input_fee_ppk"
            case issuedCount = "issued_count"
            case redeemedCount = "redeemed_count"
            case pendingCount = "pending_count"
        }
    }

    public struct Unit: Sendable, Codable {
        public var unit: String
        public var issued: UInt128
        public var redeemed: UInt128
        public var pending: UInt128
        public var outstanding: UInt128
        /// Input fees kept (NUT-02).
        public var fees: UInt128
    }

    /// Re-verification of redeemed proofs: `Y = hash_to_curve(secret)` and `k·Y == C` for each.
    public struct SignatureCheck: Sendable, Codable {
        public var checked: UInt64
        public var invalid: UInt64
        /// `Y`s of the first invalid proofs (at most 100).
        public var invalidProofs: [String]
        /// Proofs recorded without their signature `C`, which cannot be checked: melt inputs imported from nutshell,
        /// which does not keep them (its own checks passed when they were spent).
        public var unverifiable: UInt64 = 0
        /// `Y`s of the first of them (at most 100).
        public var unverifiableProofs: [String] = []

        public init(checked: UInt64, invalid: UInt64, invalidProofs: [String]) {
            self.checked = checked
            self.invalid = invalid
            self.invalidProofs = invalidProofs
        }

        enum CodingKeys: String, CodingKey {
            case checked, invalid, unverifiable
            case invalidProofs = "invalid_proofs"
            case unverifiableProofs = "unverifiable_proofs"
        }
    }

    /// The database's running totals (`ledger_totals`, what metrics and the watchdog read) against the sums
    /// computed from the tables in the same snapshot.
    public struct RunningTotalsCheck: Sendable, Codable {
        public var consistent: Bool
        /// Keysets and units whose running totals differ (`keyset <id>`, `fees <unit>`).
        public var mismatches: [String]
    }

    public var generatedAt: UInt64
    public var keysets: [Keyset]
    public var units: [Unit]
    public var signatures: SignatureCheck?
    public var runningTotals: RunningTotalsCheck?

    enum CodingKeys: String, CodingKey {
        case keysets, units, signatures
        case generatedAt = "generated_at"
        case runningTotals = "running_totals"
    }

    /// Builds the report from the ledger's totals and keysets.
    public init(totals: AuditTotals, keysets records: [KeysetRecord], generatedAt: UInt64, signatures: SignatureCheck? = nil) {
        self.generatedAt = generatedAt
        self.signatures = signatures
        if totals.running != nil {
            let mismatches = totals.runningMismatches
            self.runningTotals = RunningTotalsCheck(consistent: mismatches.isEmpty, mismatches: mismatches)
        }
        var keysets = [Keyset]()
        var units = [String: Unit]()
        for record in records {
            let t = totals.keysets[record.id] ?? AuditTotals.Keyset()
            let spent = t.redeemed + t.pending
            let overdrawn = spent > t.issued
            let outstanding = overdrawn ? 0 : t.issued - spent
            keysets.append(Keyset(
                id: record.id.hex, unit: record.unit.rawValue, active: record.active, inputFeePPK: record.inputFeePPK, issued: t.issued,
                issuedCount: t.issuedCount, redeemed: t.redeemed, redeemedCount: t.redeemedCount, pending: t.pending,
                pendingCount: t.pendingCount, outstanding: outstanding, overdrawn: overdrawn))
            var u = units[record.unit.rawValue] ?? Unit(unit: record.unit.rawValue, issued: 0, redeemed: 0, pending: 0, outstanding: 0, fees: 0)
            u.issued += t.issued
            u.redeemed += t.redeemed
            u.pending += t.pending
            u.outstanding += outstanding
            units[record.unit.rawValue] = u
        }
        for (unit, fee) in totals.fees { units[unit.rawValue, default: Unit(unit: unit.rawValue, issued: 0, redeemed: 0, pending: 0, outstanding: 0, fees: 0)].fees = fee }
        self.keysets = keysets
        self.units = units.values.sorted { $0.unit < $1.unit }
    }
}
