import CashewEncoding
import CashuCrypto
import Secp256k1
import Testing

@Suite("Mint keyset derivation")
struct MintKeysetTests {
    @Test("reproduces nutshell's keyset for MINT_PRIVATE_KEY=TEST_PRIVATE_KEY at m/0'/0'/0'")
    func nutshellKeyset() throws {
        // Values from nutshell's own test suite (tests/mint/test_mint_keysets.py): the 64-key keyset of its test
        // mint has V1 ID 009a1f293253e41e and this key for amount 1 (`public_keys_hex[1]`, keyed by amount).
        let master = try MintKeyset.nutshellMaster(privateKey: "TEST_PRIVATE_KEY")
        let keyset = try MintKeyset(
            master: master, path: DerivationPath(parsing: "m/0'/0'/0'"), unit: .sat,
            amounts: MintKeyset.powersOfTwo(count: 64), idVersion: .v1)
        #expect(keyset.id.hex == "009a1f293253e41e")
        #expect(keyset.publicKeys[1]?.hex == "02194603ffa36356f4a56b7df9371fc3192472351453ec7398b8da8117e7c3e104")
        #expect(keyset.publicKeys.count == 64)
    }

    @Test("cdk-mintd's unit indices")
    func unitIndex() {
        // cdk's hashed_derivation_index tests expect these values.
        #expect(MintKeyset.unitIndex(.sat) == 1_967_237_907)
        #expect(MintKeyset.unitIndex(.msat) == 142_929_756)
        #expect(MintKeyset.unitIndex(.usd) == 577_560_378)
        #expect(MintKeyset.unitIndex(CurrencyUnit("SAT")) == 1_967_237_907)
    }

    @Test("keys are private-key/public-key pairs and the ID commits to unit, fee and expiry")
    func consistency() throws {
        let master = try ExtendedPrivateKey(seed: Mnemonic(phrase: "half depart obvious quality work element tank gorilla view sugar picture humble").seed())
        let path = try MintKeyset.path(unit: .sat, index: 0)
        #expect(path.description == "m/129372'/1967237907'/0'")
        let a = try MintKeyset(master: master, path: path, unit: .sat, amounts: MintKeyset.powersOfTwo(count: 8))
        for (amount, key) in a.privateKeys { #expect(try key.publicPoint == a.publicKeys[amount]) }
        #expect(a.id == KeysetID.v2(keys: a.publicKeys, unit: .sat))
        let b = try MintKeyset(master: master, path: path, unit: .sat, amounts: MintKeyset.powersOfTwo(count: 8), inputFeePPK: 100)
        #expect(a.publicKeys == b.publicKeys)
        #expect(a.id != b.id)
        let c = try MintKeyset(master: master, path: MintKeyset.path(unit: .sat, index: 1), unit: .sat, amounts: MintKeyset.powersOfTwo(count: 8))
        #expect(a.publicKeys != c.publicKeys)
        #expect(!a.description.contains(a.privateKeys[1]!.hex))
    }
}
