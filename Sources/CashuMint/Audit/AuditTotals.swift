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

    public init(keysets: [KeysetID: Keyset] = [:], fees: [CurrencyUnit: UInt128] = [:]) {
        self.keysets = keysets
        self.fees = fees
    }
}
