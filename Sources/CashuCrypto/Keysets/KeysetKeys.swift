import CashewEncoding
import Secp256k1

/// The public keys of a keyset, one per amount (NUT-01): `{"1": "02…", "2": "03…", …}` on the wire.
///
/// Decoding is strict: amounts are decimal `UInt64` (2^63 is a valid key) and every key is a 33-byte compressed
/// point on the curve, as NUT-01 requires.
public struct KeysetKeys: Sendable, Hashable, Codable {
    /// Key per amount.
    public let keys: [Amount: Point]
    /// The amounts, ascending.
    public let amounts: [Amount]

    /// Keys from a map of amount to point.
    public init(_ keys: [Amount: Point]) {
        self.keys = keys
        self.amounts = keys.keys.sorted()
    }

    /// The key for `amount`.
    public subscript(amount: Amount) -> Point? { keys[amount] }

    /// Number of keys.
    public var count: Int { keys.count }

    /// Parses the wire form (amount strings to compressed hex keys).
    public init(wire: [String: String]) throws {
        var keys = [Amount: Point]()
        keys.reserveCapacity(wire.count)
        for (amountText, keyHex) in wire {
            guard let value = UInt64(amountText), String(value) == amountText else {
                throw KeysetID.ParseError(description: "keyset amount \(amountText.prefix(40)) is not a decimal integer")
            }
            guard let point = try? Point(hex: keyHex) else {
                throw KeysetID.ParseError(description: "key for amount \(amountText) is not a compressed secp256k1 point")
            }
            keys[Amount(value)] = point
        }
        self.init(keys)
    }

    /// The wire form.
    public var wire: [String: String] {
        Dictionary(uniqueKeysWithValues: keys.map { (String($0.key.rawValue), $0.value.hex) })
    }

    public init(from decoder: any Decoder) throws {
        let wire = try decoder.singleValueContainer().decode([String: String].self)
        do {
            try self.init(wire: wire)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(wire)
    }
}
