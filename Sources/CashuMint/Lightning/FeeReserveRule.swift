/// How much of a melt's inputs the mint holds back for Lightning routing fees: `percent` of the amount, at least
/// `minMsat` (as nutshell and cdk do). What the payment does not use comes back as NUT-08 change. The same rule
/// serves every backend.
public struct FeeReserveRule: Sendable, Hashable {
    /// Percent of the amount (0…100).
    public var percent: Double
    /// The least reserve, in msat.
    public var minMsat: UInt64

    public init(percent: Double = 2, minMsat: UInt64 = 2000) {
        self.percent = percent
        self.minMsat = minMsat
    }

    /// The reserve for paying `amountMsat`.
    public func reserveMsat(for amountMsat: UInt64) -> UInt64 {
        max(minMsat, Self.percent(percent, of: amountMsat))
    }

    /// `percent` % of `msat`, rounded down, in integers: through `Double` a large amount overflowed `UInt64` and
    /// trapped (an amountless melt quote for 2^64−1 msat at 100 % killed the mint). At most `msat` for 0…100 %.
    static func percent(_ percent: Double, of msat: UInt64) -> UInt64 {
        let ppm = UInt64((min(max(percent.isNaN ? 0 : percent, 0), 100) * 10_000).rounded())
        let product = msat.multipliedFullWidth(by: ppm)
        return UInt64(1_000_000).dividingFullWidth(product).quotient
    }
}
