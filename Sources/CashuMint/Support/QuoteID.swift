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

/// The mint's clock: Unix time. Tests substitute their own.
public struct MintClock: Sendable {
    /// Unix time with its fraction (locktimes expire as soon as the clock passes them, not a second later).
    public let time: @Sendable () -> Double

    public init(time: @escaping @Sendable () -> Double) { self.time = time }

    /// A clock of whole seconds.
    public init(now: @escaping @Sendable () -> UInt64) { self.time = { Double(now()) } }

    /// Whole Unix seconds.
    public func now() -> UInt64 { UInt64(max(0, time())) }

    /// Wall-clock time.
    public static let system = MintClock(time: { Date().timeIntervalSince1970 })
}
