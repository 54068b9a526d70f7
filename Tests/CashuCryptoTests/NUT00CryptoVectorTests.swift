import CashewEncoding
import CashuCrypto
import Secp256k1
import TestSupport
import Testing

@Suite("NUT-00 crypto vectors")
struct NUT00CryptoVectorTests {
    @Test("hash_to_curve", arguments: try Vectors.cases("nut00", group: "hash_to_curve"))
    func hashToCurve(_ v: JSONValue) throws {
        let message = try #require(Hex.decode(v.string("input", "message_hex")))
        let y = try HashToCurve.point(for: message)
        #expect(y.hex == v.string("expected", "point"))
    }

    @Test("blinded message B_ = Y + rG", arguments: try Vectors.cases("nut00", group: "blinded_message"))
    func blindedMessage(_ v: JSONValue) throws {
        // x is the secret message given as hex bytes, so hash_to_curve takes the decoded bytes.
        let x = try #require(Hex.decode(v.string("input", "x")))
        let r = try Scalar(hex: v.string("input", "r"))
        let b = try BDHKE.blind(message: x, r: r)
        #expect(b.hex == v.string("expected", "B_"))
    }

    @Test("blind signature C_ = kB_", arguments: try Vectors.cases("nut00", group: "blind_signature"))
    func blindSignature(_ v: JSONValue) throws {
        let k = try Scalar(hex: v.string("input", "k"))
        let b = try Point(hex: v.string("input", "B_"))
        #expect(try BDHKE.sign(b, key: k).hex == v.string("expected", "C_"))
    }

    @Test("hash_to_curve takes a secret's UTF-8 bytes")
    func secretIsUTF8() throws {
        let secret = "407915bc212be61a77e3e6d2aeb4c727980bda51cd06a6afc29e2861768a7837"
        #expect(try HashToCurve.point(forSecret: secret) == HashToCurve.point(for: Array(secret.utf8)))
    }
}
