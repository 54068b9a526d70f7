import CashewEncoding
import CashewNostr
import Crypto
import Foundation
import Secp256k1
import TestSupport
import Testing

/// NIP-44 v2 against the official vectors of github:paulmillr/nip44 (`Tests/Fixtures/vectors/nip44.json`, copied
/// unchanged from javascript/test/nip44.vectors.json at 671a1f0).
@Suite("NIP-44 v2 vectors")
struct NIP44VectorTests {
    static let v2 = try! Vectors.load("nip44")["v2"]!
    static func cases(_ group: String, _ name: String) -> [JSONValue] { v2[group]?[name]?.arrayValue ?? [] }
    static func bytes(_ v: JSONValue, _ key: String) -> [UInt8] { Hex.decode(v.string(key))! }

    /// The x-only public key of a secret key.
    static func xOnly(_ secret: [UInt8]) throws -> [UInt8] { try Scalar(bytes: secret).publicPoint.xOnly }

    @Test("conversation keys (35 valid)", arguments: cases("valid", "get_conversation_key"))
    func conversationKey(_ v: JSONValue) throws {
        #expect(try NIP44.conversationKey(secretKey: Self.bytes(v, "sec1"), publicKey: Self.bytes(v, "pub2")) == Self.bytes(v, "conversation_key"))
    }

    @Test("invalid keys are refused (8)", arguments: cases("invalid", "get_conversation_key"))
    func invalidConversationKey(_ v: JSONValue) throws {
        #expect(throws: NIP44.Failure.self, "\(v.string("note"))") {
            _ = try NIP44.conversationKey(secretKey: Self.bytes(v, "sec1"), publicKey: Self.bytes(v, "pub2"))
        }
    }

    @Test("message keys")
    func messageKeys() throws {
        let group = try #require(Self.v2["valid"]?["get_message_keys"])
        let key = Hex.decode(group.string("conversation_key"))!
        let list = group["keys"]?.arrayValue ?? []
        #expect(!list.isEmpty)
        for v in list {
            let keys = try NIP44.messageKeys(conversationKey: key, nonce: Self.bytes(v, "nonce"))
            #expect(keys.chachaKey == Self.bytes(v, "chacha_key") && keys.chachaNonce == Self.bytes(v, "chacha_nonce") && keys.hmacKey == Self.bytes(v, "hmac_key"))
        }
    }

    @Test("padded lengths (24)")
    func paddedLengths() throws {
        let list = Self.cases("valid", "calc_padded_len")
        #expect(list.count == 24)
        for pair in list {
            let p = pair.arrayValue ?? []
            #expect(try NIP44.paddedLength(Int(p[0].uint64Value!)) == Int(p[1].uint64Value!))
        }
    }

    @Test("encrypt and decrypt (10): the payload from both sides' conversation key", arguments: cases("valid", "encrypt_decrypt"))
    func encryptDecrypt(_ v: JSONValue) throws {
        let (sec1, sec2) = (Self.bytes(v, "sec1"), Self.bytes(v, "sec2"))
        let key = try NIP44.conversationKey(secretKey: sec1, publicKey: try Self.xOnly(sec2))
        #expect(key == Self.bytes(v, "conversation_key"))
        #expect(try NIP44.conversationKey(secretKey: sec2, publicKey: try Self.xOnly(sec1)) == key)
        let payload = try NIP44.encrypt(v.string("plaintext"), conversationKey: key, nonce: Self.bytes(v, "nonce"))
        #expect(payload == v.string("payload"))
        #expect(try NIP44.decrypt(payload, conversationKey: key) == v.string("plaintext"))
    }

    @Test("long messages (3): plaintext and payload hashes", arguments: cases("valid", "encrypt_decrypt_long_msg"))
    func longMessages(_ v: JSONValue) throws {
        let plaintext = String(repeating: v.string("pattern"), count: Int(v["repeat"]!.uint64Value!))
        #expect(Hex.encode(Array(SHA256.hash(data: Array(plaintext.utf8)))) == v.string("plaintext_sha256"))
        let key = Self.bytes(v, "conversation_key")
        let payload = try NIP44.encrypt(plaintext, conversationKey: key, nonce: Self.bytes(v, "nonce"))
        #expect(Hex.encode(Array(SHA256.hash(data: Array(payload.utf8)))) == v.string("payload_sha256"))
        #expect(try NIP44.decrypt(payload, conversationKey: key) == plaintext)
    }

    @Test("plaintexts of 0 or more than 65535 bytes are refused (4)")
    func invalidLengths() throws {
        let list = Self.cases("invalid", "encrypt_msg_lengths")
        #expect(list.count == 4)
        for n in list {
            #expect(throws: NIP44.Failure.self) {
                _ = try NIP44.encrypt(String(repeating: "a", count: Int(n.uint64Value!)), conversationKey: Array(repeating: 1, count: 32))
            }
        }
    }

    @Test("invalid payloads are refused (12)", arguments: cases("invalid", "decrypt"))
    func invalidDecrypt(_ v: JSONValue) throws {
        #expect(throws: NIP44.Failure.self, "\(v.string("note"))") {
            _ = try NIP44.decrypt(v.string("payload"), conversationKey: Self.bytes(v, "conversation_key"))
        }
    }
}
