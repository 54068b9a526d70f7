import CashewEncoding
import CashuCrypto
import Secp256k1
import TestSupport
import Testing

@Suite("NUT-01 and NUT-02 keyset vectors")
struct NUT01NUT02KeysetVectorTests {
    static func wireKeys(_ v: JSONValue) -> [String: String] {
        var out = [String: String]()
        for (k, value) in v.at("input", "keys").objectValue ?? [] { out[k] = value.stringValue }
        return out
    }

    @Test("NUT-01 keysets are accepted or rejected as the spec says", arguments: try Vectors.cases("nut01"))
    func nut01(_ v: JSONValue) throws {
        let valid = try #require(v["valid"]?.boolValue as Bool?)
        let parsed = try? KeysetKeys(wire: Self.wireKeys(v))
        #expect((parsed != nil) == valid, "\(v.string("name"))")
        if let parsed {
            #expect(parsed.count == Self.wireKeys(v).count)
            #expect(parsed.wire == Self.wireKeys(v))
        }
    }

    @Test("the 64-key keyset holds amount 2^63")
    func maxAmount() throws {
        let v = try #require(try Vectors.cases("nut01").first { $0.string("name").contains("64 keys") })
        let keys = try KeysetKeys(wire: Self.wireKeys(v))
        #expect(keys.amounts.last == Amount(1 << 63))
        #expect(keys.amounts.count == 64)
    }

    @Test("V1 keyset IDs", arguments: try Vectors.cases("nut02", group: "keyset_id_v1"))
    func v1(_ v: JSONValue) throws {
        let keys = try KeysetKeys(wire: Self.wireKeys(v))
        let id = KeysetID.v1(keys: keys)
        #expect(id.hex == v.string("expected", "keyset_id"))
        #expect(id.version == .v1)
        #expect(id.shortID == id)
    }

    @Test("V2 keyset IDs", arguments: try Vectors.cases("nut02", group: "keyset_id_v2"))
    func v2(_ v: JSONValue) throws {
        let keys = try KeysetKeys(wire: Self.wireKeys(v))
        let fee = v.at("input")["input_fee_ppk"]?.uint64Value ?? 0
        let expiry = v.at("input")["final_expiry"]?.uint64Value
        let id = KeysetID.v2(keys: keys, unit: CurrencyUnit(v.string("input", "unit")), inputFeePPK: fee, finalExpiry: expiry)
        #expect(id.hex == v.string("expected", "keyset_id"))
        #expect(id.version == .v2)
        #expect(id.shortID.hex == String(id.hex.prefix(16)))
        #expect(try id.shortID.resolve(among: [id]) == id)
    }

    @Test("NUT-02 input fee example: 3 inputs at 100 ppk cost 1 sat")
    func feeExample() throws {
        let v = try #require(try Vectors.load("spec_examples")["cases"]?.arrayValue?.first { $0.string("name") == "input fee example" })
        let count = try #require(v.at("input", "input_count").uint64Value)
        let ppk = try #require(v.at("input", "input_fee_ppk").uint64Value)
        let fee = Fees.inputFee(perInputPPK: Array(repeating: ppk, count: Int(count)))
        #expect(fee?.rawValue == v.at("expected", "fee").uint64Value)
        // "1-10 inputs is 1 sat, 11-20 inputs is 2 sat"
        #expect(Fees.inputFee(perInputPPK: Array(repeating: UInt64(100), count: 10)) == Amount(1))
        #expect(Fees.inputFee(perInputPPK: Array(repeating: UInt64(100), count: 11)) == Amount(2))
        #expect(Fees.inputFee(perInputPPK: [UInt64]()) == Amount(0))
        #expect(Fees.inputFee(perInputPPK: [UInt64.max, 1]) == nil)
    }

    @Test("keyset ID parsing rules")
    func parsing() throws {
        #expect(throws: (any Error).self) { try KeysetID(hex: "02aabbccddeeff00") }
        #expect(throws: (any Error).self) { try KeysetID(hex: "00aabbccddeeff") }
        #expect(throws: (any Error).self) { try KeysetID(hex: "01aabbccddeeff00") }  // short form only when allowed
        #expect(try KeysetID(hex: "01aabbccddeeff00", allowShort: true).isShort)
        #expect(try KeysetID(hex: "009A1F293253E41E").hex == "009a1f293253e41e")
        let a = try KeysetID(hex: "01" + String(repeating: "ab", count: 32))
        let b = try KeysetID(hex: "01" + String(repeating: "ab", count: 7) + String(repeating: "cd", count: 25))
        #expect(throws: (any Error).self) { try a.shortID.resolve(among: [a, b]) }  // same first 8 bytes: ambiguous
    }
}
