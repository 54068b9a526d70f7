/// An amount of e-cash in the minor unit of its keyset (sat, msat, cent).
///
/// Cashu keysets hold amounts up to 2^63, which does not fit in `Int64`, so the value is a `UInt64`. Arithmetic that
/// could overflow is explicit (`adding`, `sum`) and reports overflow instead of trapping, because amounts come from
/// untrusted input.
public struct Amount: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    /// The amount in the minor unit.
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ value: UInt64) { self.rawValue = value }
    public init(integerLiteral value: UInt64) { self.rawValue = value }

    /// Zero.
    public static let zero = Amount(0)

    public static func < (a: Amount, b: Amount) -> Bool { a.rawValue < b.rawValue }

    public var description: String { String(rawValue) }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(UInt64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    /// self + other, or nil on overflow.
    public func adding(_ other: Amount) -> Amount? {
        let (v, o) = rawValue.addingReportingOverflow(other.rawValue)
        return o ? nil : Amount(v)
    }

    /// self − other, or nil when other is larger.
    public func subtracting(_ other: Amount) -> Amount? {
        other.rawValue > rawValue ? nil : Amount(rawValue - other.rawValue)
    }

    /// The sum of `amounts`, or nil on overflow.
    public static func sum<S: Sequence>(_ amounts: S) -> Amount? where S.Element == Amount {
        var total: UInt64 = 0
        for a in amounts {
            let (v, o) = total.addingReportingOverflow(a.rawValue)
            if o { return nil }
            total = v
        }
        return Amount(total)
    }

    /// True for 2^0 … 2^63, the denominations of a standard keyset.
    public var isPowerOfTwo: Bool { rawValue != 0 && rawValue & (rawValue - 1) == 0 }

    /// This amount split over `denominations` (any order, repeats allowed), largest pieces first, at most `limit`
    /// pieces: what NUT-08 change can be when the keyset has only some powers of two (1, 2, 4, 8: 21 is 8, 8, 4, 1).
    /// Pieces beyond `limit` are left out, so the result may sum to less; nil if a remainder cannot be split at all
    /// (no denomination of 1).
    public func split(over denominations: [Amount], limit: Int) -> [Amount]? {
        let sorted = Set(denominations.filter { $0.rawValue > 0 }).sorted(by: >)
        var rest = rawValue
        var pieces = [Amount]()
        for d in sorted where pieces.count < limit {
            let count = min(rest / d.rawValue, UInt64(limit - pieces.count))
            pieces += repeatElement(d, count: Int(count))
            rest -= count * d.rawValue
        }
        return rest == 0 || pieces.count == limit ? pieces : nil
    }

    /// The powers of two that sum to this amount, ascending (the standard split, NUT-08's change example).
    public var powersOfTwo: [Amount] {
        var out = [Amount]()
        var bit: UInt64 = 1
        for _ in 0..<64 {
            if rawValue & bit != 0 { out.append(Amount(bit)) }
            bit <<= 1
        }
        return out
    }
}
