import CashewEncoding
import FoundationEssentials

/// NIP-19 bech32 entities that payment requests carry: `npub` (a public key) and `nprofile` (a public key with
/// relay hints, TLV type 0 the 32-byte key, type 1 a relay URL, repeatable).
public enum NIP19 {
    /// A Nostr profile: a 32-byte x-only public key and relays where it can be found.
    public struct Profile: Sendable, Hashable {
        public var publicKey: [UInt8]
        public var relays: [String]

        public init(publicKey: [UInt8], relays: [String] = []) {
            self.publicKey = publicKey
            self.relays = relays
        }

        /// `npub1…` when there are no relays, `nprofile1…` otherwise.
        public var encoded: String {
            relays.isEmpty ? NIP19.encode(hrp: "npub", publicKey) : NIP19.encode(hrp: "nprofile", NIP19.profileTLV(self))
        }
    }

    /// Why a string is not an npub or nprofile.
    public struct DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Reads an `npub1…` or `nprofile1…` (unknown TLV types of an nprofile are skipped, as NIP-19 asks).
    public static func profile(_ text: String) throws -> Profile {
        let decoded: Bech32.Decoded
        do { decoded = try Bech32.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)) } catch {
            throw DecodingError(description: "not bech32: \(error)")
        }
        guard decoded.variant == .bech32, let bytes = Bech32.convertBits(decoded.data, from: 5, to: 8, pad: false) else {
            throw DecodingError(description: "not a NIP-19 string")
        }
        switch decoded.hrp {
        case "npub":
            guard bytes.count == 32 else { throw DecodingError(description: "an npub holds 32 bytes") }
            return Profile(publicKey: bytes)
        case "nprofile":
            var key: [UInt8]?
            var relays = [String]()
            var i = 0
            while i < bytes.count {
                guard i + 2 <= bytes.count else { throw DecodingError(description: "truncated nprofile") }
                let type = bytes[i], length = Int(bytes[i + 1])
                guard i + 2 + length <= bytes.count else { throw DecodingError(description: "truncated nprofile") }
                let value = Array(bytes[(i + 2)..<(i + 2 + length)])
                i += 2 + length
                switch type {
                case 0:
                    guard value.count == 32 else { throw DecodingError(description: "an nprofile's key is 32 bytes") }
                    key = value
                case 1:
                    guard let relay = String(validating: value, as: UTF8.self) else { throw DecodingError(description: "a relay is not UTF-8") }
                    relays.append(relay)
                default:
                    continue
                }
            }
            guard let key else { throw DecodingError(description: "an nprofile without a key") }
            return Profile(publicKey: key, relays: relays)
        default:
            throw DecodingError(description: "expected npub or nprofile, not \(decoded.hrp)")
        }
    }

    static func profileTLV(_ p: Profile) -> [UInt8] {
        var out: [UInt8] = [0, 32] + p.publicKey
        for relay in p.relays {
            let bytes = Array(relay.utf8.prefix(255))
            out += [1, UInt8(bytes.count)] + bytes
        }
        return out
    }

    static func encode(hrp: String, _ bytes: [UInt8]) -> String {
        Bech32.encode(hrp: hrp, data: Bech32.convertBits(bytes, from: 8, to: 5, pad: true) ?? [], variant: .bech32)
    }
}
