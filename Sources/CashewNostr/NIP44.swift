import CashewEncoding
import Crypto
import CryptoExtras
import FoundationEssentials
import Secp256k1

/// NIP-44 version 2: the encryption of Nostr direct messages (and of NIP-59 seals and gift wraps).
///
/// The conversation key is HKDF-extract(SHA-256, salt "nip44-v2", the x coordinate of the ECDH point of one side's
/// secret key and the other's x-only public key); it is the same from both sides. Each message takes a random
/// 32-byte nonce; HKDF-expand(conversation key, nonce, 76) gives the ChaCha20 key (32), ChaCha20 nonce (12) and HMAC
/// key (32). The plaintext (1 to 65,535 bytes of UTF-8) is prefixed with its length (u16, big-endian) and padded
/// with zeros to `paddedLength`; the payload is base64(version 2 ‖ nonce ‖ ciphertext ‖ HMAC-SHA256(hmac key,
/// nonce ‖ ciphertext)).
public enum NIP44 {
    /// Why a key, plaintext or payload was refused.
    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The three keys of one message.
    public struct MessageKeys: Sendable, Hashable {
        public var chachaKey: [UInt8]
        public var chachaNonce: [UInt8]
        public var hmacKey: [UInt8]
    }

    /// The conversation key between `secretKey` and the x-only `publicKey` (32 bytes each).
    public static func conversationKey(secretKey: [UInt8], publicKey: [UInt8]) throws -> [UInt8] {
        guard secretKey.count == 32, publicKey.count == 32 else { throw Failure("keys are 32 bytes") }
        let scalar: Scalar
        do { scalar = try Scalar(bytes: secretKey) } catch { throw Failure("the secret key is not a scalar below the group order") }
        guard !scalar.isZero else { throw Failure("the secret key is zero") }
        let point: Point
        do { point = try Point(compressed: [2] + publicKey) } catch { throw Failure("the public key is not on the curve") }
        let shared = try point.multiplied(by: scalar).xOnly
        return Array(HKDF<SHA256>.extract(inputKeyMaterial: SymmetricKey(data: shared), salt: Array("nip44-v2".utf8)).withUnsafeBytes { Array($0) })
    }

    /// The keys for the message with `nonce` (32 bytes) in the conversation.
    public static func messageKeys(conversationKey: [UInt8], nonce: [UInt8]) throws -> MessageKeys {
        guard conversationKey.count == 32 else { throw Failure("the conversation key is 32 bytes") }
        guard nonce.count == 32 else { throw Failure("the nonce is 32 bytes") }
        let okm = HKDF<SHA256>.expand(pseudoRandomKey: SymmetricKey(data: conversationKey), info: nonce, outputByteCount: 76)
            .withUnsafeBytes { Array($0) }
        return MessageKeys(chachaKey: Array(okm[0..<32]), chachaNonce: Array(okm[32..<44]), hmacKey: Array(okm[44..<76]))
    }

    /// The padded length of a plaintext of `length` bytes: 32 up to 32 bytes, then multiples of a chunk that is 32 up
    /// to 256 bytes and an eighth of the next power of two above. (The rule is defined for any positive length; a
    /// message is limited to 65,535 bytes by `encrypt`.)
    public static func paddedLength(_ length: Int) throws -> Int {
        guard length >= 1, length <= 1 << 40 else { throw Failure("a length is positive, not \(length)") }
        if length <= 32 { return 32 }
        var nextPower = 1
        while nextPower < length { nextPower <<= 1 }  // the least power of two ≥ length
        let chunk = nextPower <= 256 ? 32 : nextPower / 8
        return chunk * ((length - 1) / chunk + 1)
    }

    /// Encrypts `plaintext`; `nonce` is random unless given (tests).
    public static func encrypt(_ plaintext: String, conversationKey: [UInt8], nonce: [UInt8] = SecureRandom.bytes(32)) throws -> String {
        let keys = try messageKeys(conversationKey: conversationKey, nonce: nonce)
        let bytes = Array(plaintext.utf8)
        guard (1...65_535).contains(bytes.count) else { throw Failure("a plaintext is 1 to 65535 bytes, not \(bytes.count)") }
        var padded = [UInt8(bytes.count >> 8 & 0xff), UInt8(bytes.count & 0xff)] + bytes
        padded += [UInt8](repeating: 0, count: try paddedLength(bytes.count) - bytes.count)
        let ciphertext = try chacha20(padded, keys)
        let mac = hmac(keys.hmacKey, nonce + ciphertext)
        return Data([2] + nonce + ciphertext + mac).base64EncodedString()
    }

    /// Decrypts a payload of this conversation; the MAC is checked (in constant time) before anything else.
    public static func decrypt(_ payload: String, conversationKey: [UInt8]) throws -> String {
        guard (132...87_472).contains(payload.utf8.count) else { throw Failure("invalid payload length: \(payload.utf8.count)") }
        guard !payload.hasPrefix("#") else { throw Failure("unknown encryption version") }
        guard let data = Data(base64Encoded: payload).map(Array.init) else { throw Failure("invalid base64") }
        guard (99...65_603).contains(data.count) else { throw Failure("invalid data length: \(data.count)") }
        guard data[0] == 2 else { throw Failure("unknown encryption version \(data[0])") }
        let nonce = Array(data[1..<33]), ciphertext = Array(data[33..<(data.count - 32)]), mac = Array(data[(data.count - 32)...])
        let keys = try messageKeys(conversationKey: conversationKey, nonce: nonce)
        guard constantTimeEqual(hmac(keys.hmacKey, nonce + ciphertext), mac) else { throw Failure("invalid MAC") }
        let padded = try chacha20(ciphertext, keys)
        guard padded.count >= 2 else { throw Failure("invalid padding") }
        let length = Int(padded[0]) << 8 | Int(padded[1])
        guard (1...65_535).contains(length), 2 + length <= padded.count, padded.count == 2 + (try paddedLength(length)) else { throw Failure("invalid padding") }
        guard let text = String(validating: padded[2..<(2 + length)], as: UTF8.self) else { throw Failure("the plaintext is not UTF-8") }
        return text
    }

    static func chacha20(_ input: [UInt8], _ keys: MessageKeys) throws -> [UInt8] {
        do {
            return Array(try Insecure.ChaCha20CTR.encrypt(
                input, using: SymmetricKey(data: keys.chachaKey), counter: try .init(offset: 0), nonce: try .init(data: keys.chachaNonce)))
        } catch {
            throw Failure("ChaCha20 failed: \(error)")
        }
    }

    static func hmac(_ key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
