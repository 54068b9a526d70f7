import CashewEncoding
import Crypto
import FoundationEssentials

/// A keyset ID (NUT-02): version `00` (8 bytes, deprecated) or version `01` (33 bytes), or the 8-byte short form of
/// a version `01` ID that V4 tokens carry.
///
/// Stored as lower-case hex, the way it travels in JSON.
public struct KeysetID: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The version byte.
    public enum Version: UInt8, Sendable, Hashable {
        /// `00`: the first 7 bytes of SHA-256 over the concatenated public keys (deprecated).
        case v1 = 0x00
        /// `01`: SHA-256 over amounts, keys, unit, fee and expiry.
        case v2 = 0x01
    }

    /// Why a string is not a keyset ID.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Lower-case hex of the ID bytes.
    public let hex: String

    /// The version byte.
    public var version: Version { hex.hasPrefix("00") ? .v1 : .v2 }

    /// True for the 8-byte short form of a version `01` ID (only found in V4 tokens).
    public var isShort: Bool { version == .v2 && hex.utf8.count == 16 }

    /// Parses the hex of a keyset ID: `00` + 7 bytes, `01` + 32 bytes, or (when `allowShort`) `01` + 7 bytes.
    public init(hex: String, allowShort: Bool = false) throws {
        guard let bytes = Hex.decode(hex) else { throw ParseError(description: "keyset ID is not hex: \(hex.prefix(80))") }
        try self.init(bytes: bytes, allowShort: allowShort)
    }

    /// A keyset ID from its bytes (same rules as `init(hex:)`).
    public init(bytes: [UInt8], allowShort: Bool = false) throws {
        switch (bytes.first, bytes.count) {
        case (0x00, 8): break
        case (0x01, 33): break
        case (0x01, 8) where allowShort: break
        case (0x00, _), (0x01, _):
            throw ParseError(description: "keyset ID of version \(Hex.encode(bytes.prefix(1))) has the wrong length (\(bytes.count) bytes)")
        default:
            throw ParseError(description: "unknown keyset ID version")
        }
        self.hex = Hex.encode(bytes)
    }

    /// The ID bytes.
    public var bytes: [UInt8] { Hex.decode(hex)! }

    /// The 8-byte short ID that V4 tokens use: the ID itself for version `00`, the first 8 bytes for version `01`.
    public var shortID: KeysetID {
        if version == .v1 || isShort { return self }
        return try! KeysetID(hex: String(hex.prefix(16)), allowShort: true)
    }

    /// True when `self` is `full` or its short form.
    public func identifies(_ full: KeysetID) -> Bool {
        self == full || (isShort && full.hex.hasPrefix(hex))
    }

    /// Resolves a possibly short ID among known full IDs. Throws when none or more than one matches.
    public func resolve<S: Sequence>(among known: S) throws -> KeysetID where S.Element == KeysetID {
        if !isShort { return self }
        var found: KeysetID?
        for candidate in known where identifies(candidate) {
            if found != nil, found != candidate {
                throw ParseError(description: "short keyset ID \(hex) is ambiguous")
            }
            found = candidate
        }
        guard let found else { throw ParseError(description: "short keyset ID \(hex) matches no known keyset") }
        return found
    }

    /// NUT-13's integer form for BIP-32 paths: the ID as a big-endian integer modulo 2^31 − 1.
    public var derivationInteger: UInt32 {
        let modulus: UInt64 = (1 << 31) - 1
        var acc: UInt64 = 0
        for b in bytes { acc = (acc << 8 | UInt64(b)) % modulus }
        return UInt32(acc)
    }

    public var description: String { hex }
    public static func < (a: KeysetID, b: KeysetID) -> Bool { a.hex < b.hex }

    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(hex: s)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hex)
    }

    /// The version `00` ID of a keyset: `00` + the first 7 bytes of SHA-256 over the compressed keys in amount order.
    public static func v1(keys: KeysetKeys) -> KeysetID {
        var hasher = SHA256()
        for amount in keys.amounts { keys[amount]!.withCompressedBytes { hasher.update(bufferPointer: $0) } }
        let digest = Array(hasher.finalize())
        return try! KeysetID(bytes: [0x00] + digest.prefix(7))
    }

    /// The version `01` ID of a keyset: `01` + SHA-256 over
    /// `"amount:key,…|unit:U[|input_fee_ppk:F][|final_expiry:T]"`; a zero fee and a zero expiry are left out.
    public static func v2(keys: KeysetKeys, unit: CurrencyUnit, inputFeePPK: UInt64 = 0, finalExpiry: UInt64? = nil) -> KeysetID {
        var preimage = keys.amounts.map { "\($0.rawValue):\(keys[$0]!.hex)" }.joined(separator: ",")
        preimage += "|unit:\(unit.rawValue)"
        if inputFeePPK > 0 { preimage += "|input_fee_ppk:\(inputFeePPK)" }
        if let finalExpiry, finalExpiry > 0 { preimage += "|final_expiry:\(finalExpiry)" }
        return try! KeysetID(bytes: [0x01] + Array(SHA256.hash(data: Array(preimage.utf8))))
    }
}
