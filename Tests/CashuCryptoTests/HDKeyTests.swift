import CashewEncoding
import CashuCrypto
import Crypto
import Secp256k1
import TestSupport
import Testing

@Suite("BIP-39 mnemonics and BIP-32 keys")
struct HDKeyTests {
    @Test("the compiled word list is the BIP-39 English list")
    func wordList() throws {
        let file = try Vectors.data("data/bip39-english.txt")
        #expect(Hex.encode(Array(SHA256.hash(data: file))) == "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda")
        let words = String(decoding: file, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(words == Mnemonic.englishWords)
        #expect(Mnemonic.englishWords.count == 2048)
    }

    @Test("BIP-39 reference: all-zero entropy with passphrase TREZOR")
    func trezorVector() throws {
        let m = try Mnemonic(entropy: [UInt8](repeating: 0, count: 16))
        #expect(m.phrase == Array(repeating: "abandon", count: 11).joined(separator: " ") + " about")
        #expect(Hex.encode(m.seed(passphrase: "TREZOR"))
            == "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04")
    }

    @Test("phrases round-trip and bad phrases are rejected")
    func validation() throws {
        for count in [12, 15, 18, 21, 24] {
            let m = try Mnemonic.generate(wordCount: count)
            #expect(m.words.count == count)
            #expect(try Mnemonic(phrase: "  " + m.phrase.uppercased() + "\n") == m)
        }
        let good = "half depart obvious quality work element tank gorilla view sugar picture humble"
        _ = try Mnemonic(phrase: good)
        #expect(throws: (any Error).self) { try Mnemonic(phrase: good.replacingOccurrences(of: "humble", with: "human")) }  // checksum
        #expect(throws: (any Error).self) { try Mnemonic(phrase: good.replacingOccurrences(of: "humble", with: "xyzzy")) }  // unknown word
        #expect(throws: (any Error).self) { try Mnemonic(phrase: "half depart obvious") }
        #expect(throws: (any Error).self) { try Mnemonic(entropy: [1, 2, 3]) }
        #expect(!String(describing: try Mnemonic(phrase: good)).contains("half"))
    }

    @Test("derivation paths parse and print")
    func paths() throws {
        #expect(try DerivationPath(parsing: "m/129372'/0h/7H/1/0").description == "m/129372'/0'/7'/1/0")
        #expect(try DerivationPath(parsing: "m").components.isEmpty)
        for bad in ["", "129372'", "m/", "m/x", "m/2147483648", "m/-1", "m/1''", "m/ 1"] {
            #expect(throws: (any Error).self, "\(bad)") { try DerivationPath(parsing: bad) }
        }
    }

    @Test("public derivation matches private derivation for normal children")
    func publicDerivation() throws {
        let master = try ExtendedPrivateKey(seed: Array("cashew".utf8))
        let node = try master.derive(DerivationPath(parsing: "m/1'/2'"))
        for i: UInt32 in [0, 1, 7, 1000] {
            let priv = try node.derive(.normal(i))
            let pub = try node.extendedPublicKey.derive(.normal(i))
            #expect(priv.publicKey == pub.publicKey)
            #expect(priv.chainCode == pub.chainCode)
        }
        #expect(throws: (any Error).self) { try node.extendedPublicKey.derive(.hardened(0)) }
        #expect(!String(describing: master).contains(master.privateKey.hex))
    }
}
