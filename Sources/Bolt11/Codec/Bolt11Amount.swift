/// The amount in an invoice's human-readable part: a positive decimal with an optional multiplier of one bitcoin
/// (`m` 10⁻³, `u` 10⁻⁶, `n` 10⁻⁹, `p` 10⁻¹²). One bitcoin is 10¹¹ millisatoshis.
public enum Bolt11Amount {
    /// Millisatoshis per unit of each multiplier; `p` is a tenth of a millisatoshi and handled apart.
    static let msatPerUnit: [(multiplier: String, msat: UInt64)] = [
        ("", 100_000_000_000),
        ("m", 100_000_000),
        ("u", 100_000),
        ("n", 100),
    ]

    /// Parses amount text such as `2500u` or `10p` into millisatoshis.
    ///
    /// Rejects an empty or non-decimal amount, a leading zero (which also rules out zero), an unknown multiplier, a
    /// `p` amount that is not a whole number of millisatoshis, and amounts that overflow `UInt64`.
    public static func parse(_ text: some StringProtocol) throws -> UInt64 {
        var digits = Array(text.utf8)
        guard let last = digits.last else { throw Bolt11Error(.invalidAmount, "empty amount") }
        var multiplier: UInt8? = nil
        if !isDigit(last) {
            multiplier = last
            digits.removeLast()
        }
        guard let first = digits.first, digits.allSatisfy(isDigit) else {
            throw Bolt11Error(.invalidAmount, "amount '\(text)' is not digits followed by an optional multiplier")
        }
        guard first != UInt8(ascii: "0") else { throw Bolt11Error(.invalidAmount, "amount '\(text)' has a leading zero") }

        switch multiplier {
        case UInt8(ascii: "p")?:
            // A pico-bitcoin is a tenth of a millisatoshi, so the last digit must be 0 and is dropped.
            guard digits.removeLast() == UInt8(ascii: "0") else {
                throw Bolt11Error(.invalidAmount, "amount '\(text)' is not a whole number of millisatoshis")
            }
            return try decimal(digits, text: text)
        case nil: return try scaled(digits, by: 100_000_000_000, text: text)
        case UInt8(ascii: "m")?: return try scaled(digits, by: 100_000_000, text: text)
        case UInt8(ascii: "u")?: return try scaled(digits, by: 100_000, text: text)
        case UInt8(ascii: "n")?: return try scaled(digits, by: 100, text: text)
        default: throw Bolt11Error(.invalidAmount, "amount '\(text)' has an unknown multiplier")
        }
    }

    /// The shortest exact amount text for `msat`: the largest multiplier that divides it, else `p`.
    ///
    /// Throws for zero, which BOLT11 cannot express (a writer omits the amount instead).
    public static func format(msat: UInt64) throws -> String {
        guard msat > 0 else { throw Bolt11Error(.invalidAmount, "an invoice amount must be positive") }
        for (multiplier, unit) in msatPerUnit where msat % unit == 0 {
            return "\(msat / unit)\(multiplier)"
        }
        // Ten pico-bitcoin per millisatoshi: appending a digit cannot overflow the way multiplying by 10 could.
        return "\(msat)0p"
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    static func decimal(_ digits: [UInt8], text: some StringProtocol) throws -> UInt64 {
        var value: UInt64 = 0
        for d in digits {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(d - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw Bolt11Error(.invalidAmount, "amount '\(text)' overflows") }
            value = sum
        }
        return value
    }

    static func scaled(_ digits: [UInt8], by unit: UInt64, text: some StringProtocol) throws -> UInt64 {
        let (msat, overflow) = try decimal(digits, text: text).multipliedReportingOverflow(by: unit)
        guard !overflow else { throw Bolt11Error(.invalidAmount, "amount '\(text)' overflows") }
        return msat
    }
}
