import CashuCrypto

/// Ledger sums for the audit, exact to 128 bits (a keyset may issue many 2^63 proofs).
public struct AuditTotals: Sendable, Hashable {
    /// Per keyset.
    public struct Keyset: Sendable, Hashable {
        public var issued: UInt128
        public var issuedCount: UInt64
        public var redeemed: UInt128
        public var redeemedCount: UInt64
        public var pending: UInt128
        public var pendingCount: UInt64

        public init(issued: UInt128 = 0, issuedCount: UInt64 = 0, redeemed: UInt128 = 0, redeemedCount: UInt64 = 0, pending: UInt128 = 0, pendingCount: UInt64 = 0) {
            self.issued = issued
            self.issuedCount = issuedCount
            self.redeemed = redeemed
            self.redeemedCount = redeemedCount
            self.pending = pending
            self.pendingCount = pendingCount
        }
    }

    public var keysets: [KeysetID: Keyset]
    /// Input fees kept, per unit.
    public var fees: [CurrencyUnit: UInt128]
    /// The database's running totals (`ledger_totals`) read in the same snapshot, when these sums were computed from
    /// the tables: the audit checks that they agree.
    public var running: Running?

    /// Running totals, as `keysets` and `fees`.
    public struct Running: Sendable, Hashable {
        public var keysets: [KeysetID: Keyset]
        public var fees: [CurrencyUnit: UInt128]

        public init(keysets: [KeysetID: Keyset] = [:], fees: [CurrencyUnit: UInt128] = [:]) {
            self.keysets = keysets
            self.fees = fees
        }

        /// Records one `ledger_totals` total: `kind` is `issued`, `redeemed` or `pending` (per keyset, `key` its ID)
        /// or `fees` (per unit, `key` the unit). Both stores read their rows through this.
        public mutating func record(kind: String, key: String, total: UInt128, count: UInt64) throws {
            if kind == "fees" {
                fees[CurrencyUnit(key)] = total
                return
            }
            let id = try KeysetID(hex: key)
            switch kind {
            case "issued": (keysets[id, default: .init()].issued, keysets[id, default: .init()].issuedCount) = (total, count)
            case "redeemed": (keysets[id, default: .init()].redeemed, keysets[id, default: .init()].redeemedCount) = (total, count)
            case "pending": (keysets[id, default: .init()].pending, keysets[id, default: .init()].pendingCount) = (total, count)
            default: throw MintStoreError(.unavailable, "ledger_totals holds an unknown kind")
            }
        }
    }

    /// The keys (keysets and units) where the running totals differ from these sums; empty when they agree (or
    /// when there are none to compare).
    public var runningMismatches: [String] {
        guard let running else { return [] }
        var keys = [String]()
        for id in Set(keysets.keys).union(running.keysets.keys).sorted() {
            let a = keysets[id] ?? Keyset(), b = running.keysets[id] ?? Keyset()
            if a != b { keys.append("keyset \(id.hex)") }
        }
        for unit in Set(fees.keys).union(running.fees.keys).sorted(by: { $0.rawValue < $1.rawValue }) where (fees[unit] ?? 0) != (running.fees[unit] ?? 0) {
            keys.append("fees \(unit.rawValue)")
        }
        return keys
    }

    public init(keysets: [KeysetID: Keyset] = [:], fees: [CurrencyUnit: UInt128] = [:], running: Running? = nil) {
        self.keysets = keysets
        self.fees = fees
        self.running = running
    }
}
