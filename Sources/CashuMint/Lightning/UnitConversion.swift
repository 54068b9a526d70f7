import CashuCrypto
import CashuProtocol

/// Converts amounts between the mint's units and millisatoshi, the backends' unit. Amounts the mint asks for are
/// rounded up to whole msat, and msat are rounded up to whole units, so rounding never costs the mint.
/// Fiat units (cents) need a BTC price; without one only sat and msat convert.
public struct UnitConversion: Sendable, Hashable {
    /// Whole units of the fiat currency (dollars, euros) per BTC; nil when the backend has no price.
    public var btcPrice: UInt64?

    public init(btcPrice: UInt64? = nil) { self.btcPrice = btcPrice }

    /// msat for `amount` of `unit` (rounded up).
    public func msat(_ amount: Amount, _ unit: CurrencyUnit) throws -> UInt64 {
        switch unit {
        case .sat:
            let (v, o) = amount.rawValue.multipliedReportingOverflow(by: 1000)
            guard !o else { throw CashuError(.amountOutsideLimit, "amount too large") }
            return v
        case .msat: return amount.rawValue
        case .usd, .eur:
            guard let price = btcPrice, price > 0 else { throw CashuError(.unitNotSupported) }
            // cents → msat: cents / (100 · price) BTC = cents · 10^11 / (100 · price) msat
            let (v, o) = amount.rawValue.multipliedReportingOverflow(by: 1_000_000_000)
            guard !o else { throw CashuError(.amountOutsideLimit, "amount too large") }
            let (q, r) = v.quotientAndRemainder(dividingBy: price)
            return r == 0 ? q : q + 1
        default: throw CashuError(.unitNotSupported)
        }
    }

    /// `msat` in `unit` (rounded up).
    public func amount(msat: UInt64, _ unit: CurrencyUnit) throws -> Amount {
        switch unit {
        case .sat: return Amount(msat / 1000 + (msat % 1000 == 0 ? 0 : 1))
        case .msat: return Amount(msat)
        case .usd, .eur:
            guard let price = btcPrice, price > 0 else { throw CashuError(.unitNotSupported) }
            let (v, o) = msat.multipliedReportingOverflow(by: price)
            guard !o else { throw CashuError(.amountOutsideLimit, "amount too large") }
            return Amount(v / 1_000_000_000 + (v % 1_000_000_000 == 0 ? 0 : 1))
        default: throw CashuError(.unitNotSupported)
        }
    }
}
