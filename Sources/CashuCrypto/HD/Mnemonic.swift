import Crypto
import CryptoExtras
import Foundation  // NFKD normalization of passphrases (not in FoundationEssentials)
import Secp256k1

/// A BIP-39 mnemonic (English word list): 12, 15, 18, 21 or 24 words whose last bits are a checksum.
///
/// It does not print its words; use `phrase` deliberately.
public struct Mnemonic: Sendable, Hashable, CustomStringConvertible {
    /// Why a phrase is not a valid mnemonic.
    public struct ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The words, lower case.
    public let words: [String]

    static let index: [String: Int] = Dictionary(uniqueKeysWithValues: englishWords.enumerated().map { ($1, $0) })

    /// Parses and validates a phrase: words separated by whitespace, case-insensitive, valid checksum.
    public init(phrase: String) throws {
        let words = phrase.lowercased().split(whereSeparator: { $0.isWhitespace }).map(String.init)
        guard [12, 15, 18, 21, 24].contains(words.count) else {
            throw ValidationError(description: "a mnemonic has 12, 15, 18, 21 or 24 words, not \(words.count)")
        }
        var bits = [Bool]()
        bits.reserveCapacity(words.count * 11)
        for (position, word) in words.enumerated() {
            guard let i = Mnemonic.index[word] else {
                throw ValidationError(description: "word \(position + 1) is not in the BIP-39 English list")
            }
            for b in (0..<11).reversed() { bits.append(i >> b & 1 == 1) }
        }
        let checksumBits = words.count / 3
        let entropyBits = bits.count - checksumBits
        var entropy = [UInt8](repeating: 0, count: entropyBits / 8)
        for i in 0..<entropyBits where bits[i] { entropy[i / 8] |= 0x80 >> UInt8(i % 8) }
        let expected = Mnemonic.checksumBits(entropy)
        guard Array(bits[entropyBits...]) == expected else { throw ValidationError(description: "mnemonic checksum does not match") }
        self.words = words
    }

    /// The mnemonic of 16, 20, 24, 28 or 32 bytes of entropy.
    public init(entropy: [UInt8]) throws {
        guard [16, 20, 24, 28, 32].contains(entropy.count) else {
            throw ValidationError(description: "entropy is 16, 20, 24, 28 or 32 bytes")
        }
        var bits = [Bool]()
        for byte in entropy { for b in (0..<8).reversed() { bits.append(byte >> UInt8(b) & 1 == 1) } }
        bits += Mnemonic.checksumBits(entropy)
        var words = [String]()
        for w in 0..<(bits.count / 11) {
            var i = 0
            for b in 0..<11 { i = i << 1 | (bits[w * 11 + b] ? 1 : 0) }
            words.append(Mnemonic.englishWords[i])
        }
        self.words = words
    }

    /// A new random mnemonic (12 words by default) from the operating system's CSPRNG.
    public static func generate(wordCount: Int = 12) throws -> Mnemonic {
        guard [12, 15, 18, 21, 24].contains(wordCount) else {
            throw ValidationError(description: "a mnemonic has 12, 15, 18, 21 or 24 words")
        }
        return try Mnemonic(entropy: SecureRandom.bytes(wordCount * 4 / 3))
    }

    static func checksumBits(_ entropy: [UInt8]) -> [Bool] {
        let hash = Array(SHA256.hash(data: entropy))
        let count = entropy.count * 8 / 32
        return (0..<count).map { hash[$0 / 8] & (0x80 >> UInt8($0 % 8)) != 0 }
    }

    /// The words joined by single spaces. This is the secret.
    public var phrase: String { words.joined(separator: " ") }

    /// The 64-byte BIP-39 seed: PBKDF2-HMAC-SHA512(NFKD(phrase), "mnemonic" + NFKD(passphrase), 2048 rounds).
    public func seed(passphrase: String = "") -> [UInt8] {
        let password = Array(phrase.decomposedStringWithCompatibilityMapping.utf8)
        let salt = Array(("mnemonic" + passphrase).decomposedStringWithCompatibilityMapping.utf8)
        // BIP-39 fixes 2048 rounds, below swift-crypto's guard for password hashing, hence the unchecked variant.
        let key = try! KDF.Insecure.PBKDF2.deriveKey(
            from: password, salt: salt, using: .sha512, outputByteCount: 64, unsafeUncheckedRounds: 2048)
        return key.withUnsafeBytes { Array($0) }
    }

    /// Redacted.
    public var description: String { "Mnemonic(\(words.count) words, <redacted>)" }
}
