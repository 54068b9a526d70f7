import CashewEncoding
import CashuCrypto
import CashuProtocol
import Crypto
import Secp256k1
import TestSupport
import Testing

@Suite("NUT-10 secrets, NUT-08 blank outputs, NUT-20 and NUT-11 signature messages")
struct SecretAndMessageTests {
    @Test("NUT-10 tag validity examples")
    func tagValidity() throws {
        let v = try #require(try Vectors.cases("spec_examples").first { $0.string("name") == "NUT-10 tag validity examples" })
        func secret(_ tag: JSONValue) -> String {
            JSONValue.array([.string("P2PK"), .object([("nonce", .string("00")), ("data", .string("02")), ("tags", .array([tag]))])]).serialized
        }
        for tag in v.at("input", "valid_tags").arrayValue ?? [] {
            #expect(try WellKnownSecret.parse(secret(tag)) != nil, "\(tag.serialized)")
        }
        for tag in v.at("input", "invalid_tags").arrayValue ?? [] {
            #expect(throws: (any Error).self, "\(tag.serialized)") { try WellKnownSecret.parse(secret(tag)) }
        }
    }

    @Test("well-known secrets parse and serialize exactly")
    func secrets() throws {
        let text = #"["P2PK",{"nonce":"859d4935c4907062a6297cf4e663e2835d90d97ecdd510745d32f6816323a41f","data":"0249098aa8b9d2fbec49ff8598feb17b592b986e62319a4fa488a3dc36387157a7","tags":[["sigflag","SIG_INPUTS"]]}]"#
        let s = try WellKnownSecret(parsing: text)
        #expect(s.kind == .p2pk)
        #expect(s.serialized == text)
        #expect(try s.uniqueTag("sigflag") == ["SIG_INPUTS"])
        #expect(try s.uniqueTag("locktime") == nil)
        // Plain secrets are not NUT-10 secrets; malformed NUT-10 secrets throw.
        #expect(try WellKnownSecret.parse("407915bc212be61a77e3e6d2aeb4c727980bda51cd06a6afc29e2861768a7837") == nil)
        #expect(throws: (any Error).self) { try WellKnownSecret.parse(#"["P2PK",{"nonce":"00"}]"#) }
        #expect(throws: (any Error).self) { try WellKnownSecret.parse(#"["P2PK",{"nonce":1,"data":"02"}]"#) }
        #expect(throws: (any Error).self) { try WellKnownSecret.parse(#"["P2PK",{"nonce":"0","data":"02","tags":{}}]"#) }
        let dup = try WellKnownSecret(parsing: #"["P2PK",{"nonce":"0","data":"02","tags":[["locktime","1"],["locktime","2"]]}]"#)
        #expect(throws: (any Error).self) { try dup.uniqueTag("locktime") }
        let fresh = WellKnownSecret(kind: .htlc, data: "ab", tags: [["pubkeys", "02aa"]])
        #expect(fresh.nonce.count == 64)
        #expect(try WellKnownSecret(parsing: fresh.serialized) == fresh)
    }

    @Test("NUT-08 blank outputs and change split example")
    func blankOutputs() throws {
        let v = try #require(try Vectors.cases("spec_examples").first { $0.string("name") == "blank outputs and change example" })
        let reserve = Amount(try #require(v.at("input", "fee_reserve").uint64Value))
        #expect(UInt64(MeltRequest.blankOutputCount(feeReserve: reserve)) == v.at("expected", "n_blank_outputs").uint64Value)
        let actualFee = try #require(v.at("input", "actual_fee").uint64Value)
        let change = try #require(reserve.subtracting(Amount(actualFee)))
        #expect(change.rawValue == v.at("expected", "fee_return").uint64Value)
        #expect(change.powersOfTwo.map(\.rawValue) == v.at("expected", "change_amounts").arrayValue?.compactMap(\.uint64Value))
        #expect(MeltRequest.blankOutputCount(feeReserve: 0) == 0)
        #expect(MeltRequest.blankOutputCount(feeReserve: 1) == 1)
        #expect(MeltRequest.blankOutputCount(feeReserve: 2) == 1)
        #expect(MeltRequest.blankOutputCount(feeReserve: 3) == 2)
        #expect(MeltRequest.blankOutputCount(feeReserve: 1024) == 10)
        #expect(MeltRequest.blankOutputCount(feeReserve: 1025) == 11)
    }

    @Test("HTLC hash lock example: SHA256(preimage bytes) == data")
    func htlcHash() throws {
        let v = try #require(try Vectors.cases("spec_examples").first { $0.string("name") == "HTLC hash lock / preimage pair" })
        let preimage = try #require(Hex.decode(v.string("input", "preimage")))
        #expect(Hex.encode(Array(SHA256.hash(data: preimage))) == v.string("expected", "hash"))
    }
}
