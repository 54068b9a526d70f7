import CashewEncoding
import FoundationEssentials
import Secp256k1

/// Quote IDs are UUID version 7 with CSPRNG bits, as NUT-04 recommends: time-ordered for the database, and with
/// 74 random bits that keep them unguessable (a quote ID is a bearer secret until it is issued).
public enum QuoteID {
    /// A new UUIDv7 string, lower case.
    public static func make(now: UInt64) -> String {
        var bytes = SecureRandom.bytes(16)
        let millis = now &* 1000
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> UInt64(8 * (5 - i))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        let hex = Hex.encode(bytes)
        let h = Array(hex)
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32])
    }
}

/// The mint's clock: Unix seconds. Tests substitute their own.
public struct MintClock: Sendable {
    public let now: @Sendable () -> UInt64

    public init(now: @escaping @Sendable () -> UInt64) { self.now = now }

    /// Wall-clock time.
    public static let system = MintClock { UInt64(Date().timeIntervalSince1970) }
}
