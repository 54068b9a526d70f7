import CashewEncoding

/// The SHA-256 of a Lightning payment's preimage: how the mint, its ledger and every backend name a payment.
/// Always 32 bytes; its text form is lowercase hex.
public struct PaymentHash: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The 32 bytes.
    public let bytes: [UInt8]

    /// Thrown for anything but 32 bytes (64 hex digits).
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else { throw Invalid(description: "a payment hash is 32 bytes, not \(bytes.count)") }
        self.bytes = bytes
    }

    public init(hex: String) throws {
        guard hex.utf8.count == 64, let bytes = Hex.decode(hex) else {
            throw Invalid(description: "a payment hash is 64 hex digits: \(hex.prefix(80))")
        }
        try self.init(bytes: bytes)
    }

    /// Lowercase hex.
    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }

    public init(from decoder: any Decoder) throws {
        try self.init(hex: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hex)
    }
}
