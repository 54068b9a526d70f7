import CashuCrypto

/// The ledger's liabilities (Specs/audit.md): per keyset what was issued and redeemed, the outstanding liability,
/// and the fees the mint kept.
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

    public var generatedAt: UInt64
    public var keysets: [Keyset]
    public var units: [Unit]

    enum CodingKeys: String, CodingKey {
        case keysets, units
        case generatedAt = "generated_at"
    }

    /// Builds the report from the ledger's totals and keysets.
    public init(totals: AuditTotals, keysets records: [KeysetRecord], generatedAt: UInt64) {
        self.generatedAt = generatedAt
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

extension AuditReport {
    /// What the e-cash of `units` (outstanding plus pending) is worth in msat through `conversion`: in all, and the
    /// amount owed per unit (in the unit). A unit the conversion cannot convert, or an amount beyond 2^64, counts as
    /// everything (`UInt64.max` msat). The solvency watchdog and the auditor's solvency check both measure with it.
    public func liabilitiesMsat(of units: Set<CurrencyUnit>, conversion: UnitConversion) -> (msat: UInt128, owed: [CurrencyUnit: UInt128]) {
        var msat: UInt128 = 0
        var owed = [CurrencyUnit: UInt128]()
        for unit in self.units {
            let currency = CurrencyUnit(unit.unit)
            guard units.contains(currency) else { continue }
            let amount = unit.outstanding + unit.pending
            owed[currency] = amount
            let converted = amount > UInt128(UInt64.max) ? nil : try? conversion.msat(Amount(UInt64(amount)), currency)
            msat += UInt128(converted ?? UInt64.max)
        }
        return (msat, owed)
    }
}
