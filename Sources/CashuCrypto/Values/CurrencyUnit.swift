/// The unit of a keyset: `sat`, `msat`, `usd`, `eur`, `auth`, or any other lower-case name (NUT-01).
public struct CurrencyUnit: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The lower-case unit name.
    public let rawValue: String

    /// A unit from its name; names are case-insensitive and kept in lower case, as keyset IDs hash them.
    public init(rawValue: String) { self.rawValue = rawValue.lowercased() }
    public init(_ name: String) { self.init(rawValue: name) }
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    public static let sat = CurrencyUnit("sat")
    public static let msat = CurrencyUnit("msat")
    public static let usd = CurrencyUnit("usd")
    public static let eur = CurrencyUnit("eur")
    public static let auth = CurrencyUnit("auth")

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
