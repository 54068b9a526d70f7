import CashewEncoding
import CashuCrypto
import Secp256k1
import TestSupport
import Testing

@Suite("NUT-13 deterministic secrets")
struct NUT13DeterministicSecretTests {
    @Test("keyset ID integer and path")
    func keysetInteger() throws {
        let v = try #require(try Vectors.cases("nut13", group: "v1_keyset_id_int").first)
        let id = try KeysetID(hex: v.string("input", "keyset_id"))
        #expect(UInt64(id.derivationInteger) == v.at("expected", "keyset_id_int").uint64Value)
        let path = try DeterministicSecrets.legacyPath(keysetID: id, counter: 7).description
        #expect(path == v.string("expected", "derivation_path").replacingOccurrences(of: "{counter}", with: "7"))
    }

    @Test("V1 (BIP-32) and V2 (HMAC-SHA256) secrets and blinding factors",
          arguments: try Vectors.cases("nut13", group: "v1_secret_derivation") + Vectors.cases("nut13", group: "v2_secret_derivation"))
    func derivation(_ v: JSONValue) throws {
        let seed = try Mnemonic(phrase: v.string("input", "mnemonic")).seed()
        let id = try KeysetID(hex: v.string("input", "keyset_id"))
        let counter = try #require(v.at("input", "counter").uint64Value)
        let derived = try DeterministicSecrets(seed: seed, keysetID: id).derive(counter: counter)
        #expect(derived.secret == v.string("expected", "secret"))
        #expect(derived.blindingFactor.hex == v.string("expected", "r"))
        if let path = v.at("expected")["derivation_path"]?.stringValue {
            // The V1 vectors' paths omit the final /0 (secret) and /1 (r) steps that NUT-13 defines.
            #expect(try DeterministicSecrets.legacyPath(keysetID: id, counter: UInt32(counter)).description == path)
        }
    }

    @Test("short keyset IDs cannot derive secrets")
    func shortIDRejected() throws {
        let id = try KeysetID(hex: "015ba18a8adcd02e", allowShort: true)
        #expect(throws: (any Error).self) { try DeterministicSecrets(seed: [UInt8](repeating: 1, count: 64), keysetID: id) }
    }
}
