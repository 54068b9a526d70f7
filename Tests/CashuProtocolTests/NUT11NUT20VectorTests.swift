import CashewEncoding
import CashuCrypto
import CashuProtocol
import Crypto
import FoundationEssentials
import Secp256k1
import TestSupport
import Testing

@Suite("NUT-11 P2PK and NUT-20 signature vectors")
struct NUT11NUT20VectorTests {
    static var now: Double { Date().timeIntervalSince1970 }

    static func proof(_ j: JSONValue) throws -> Proof {
        try JSONDecoder().decode(Proof.self, from: Data(j.serializedBytes))
    }

    static func swap(_ j: JSONValue) throws -> SwapRequest {
        try JSONDecoder().decode(SwapRequest.self, from: Data(j.serializedBytes))
    }

    static func melt(_ j: JSONValue) throws -> MeltRequest {
        try JSONDecoder().decode(MeltRequest.self, from: Data(j.serializedBytes))
    }

    @Test("the multisig fixture is a well-formed 2-of-3 lock with a 2-key refund pathway")
    func fixture() throws {
        let v = try #require(try Vectors.cases("nut11", group: "multisig").first { $0["valid"]?.isNull ?? true })
        let p = try Self.proof(v.at("input", "proof"))
        let condition = try #require(try SpendingCondition(WellKnownSecret(parsing: p.secret)))
        #expect(condition.keys.count == 3 && condition.requiredSignatures == 2)
        #expect(condition.refundKeys.count == 2 && condition.requiredRefundSignatures == 1)
        #expect(condition.locktime == 21 && condition.isExpired(now: Self.now))
        // Unsigned, it is spendable by neither pathway.
        #expect(throws: CashuError.self) { try SpendingConditionVerifier.verify(inputs: [p], outputs: [], now: Self.now) }
    }

    @Test("proofs with witnesses (SIG_INPUTS) verify as the spec says",
          arguments: try Vectors.cases("nut11").filter { ($0["group"]?.stringValue == "multisig" || $0["group"]?.stringValue == "sig_inputs") && $0["valid"]?.boolValue != nil })
    func sigInputs(_ v: JSONValue) throws {
        // Locktimes in these vectors (21, 99999999999) are in the past or far future relative to today's clock.
        let p = try Self.proof(v.at("input", "proof"))
        let valid = try #require(v["valid"]?.boolValue as Bool?)
        let result = Result { try SpendingConditionVerifier.verify(inputs: [p], outputs: [], now: Self.now) }
        #expect(((try? result.get()) != nil) == valid, "\(v.string("name")): \(result)")
    }

    @Test("SIG_ALL message construction", arguments: try Vectors.cases("nut11", group: "sig_all_message"))
    func sigAllMessage(_ v: JSONValue) throws {
        let message: String
        if let swap = v.at("input")["swap_request"] {
            message = try Self.swap(swap).sigAllMessage
        } else {
            message = try Self.melt(v.at("input", "melt_request")).sigAllMessage
        }
        #expect(message == v.string("expected", "msg_to_sign"))
        #expect(Hex.encode(Array(SHA256.hash(data: Array(message.utf8)))) == v.string("expected", "sha256_msg_to_sign_hex"))
    }

    @Test("SIG_ALL swaps and melts verify as the spec says",
          arguments: try Vectors.cases("nut11").filter { ["sig_all_swap", "sig_all_melt"].contains($0["group"]?.stringValue ?? "") })
    func sigAll(_ v: JSONValue) throws {
        let valid = try #require(v["valid"]?.boolValue as Bool?)
        let result: Result<Void, any Error>
        if let swap = v.at("input")["swap_request"] {
            let request = try Self.swap(swap)
            result = Result { try SpendingConditionVerifier.verify(inputs: request.inputs, outputs: request.outputs, now: Self.now) }
        } else {
            let request = try Self.melt(v.at("input", "melt_request"))
            result = Result {
                try SpendingConditionVerifier.verify(inputs: request.inputs, outputs: request.outputs ?? [], quoteID: request.quote, now: Self.now)
            }
        }
        #expect(((try? result.get()) != nil) == valid, "\(v.string("name")): \(result)")
    }

    @Test("SIG_ALL signatures do not carry over to a changed transaction")
    func sigAllBinds() throws {
        let v = try #require(try Vectors.cases("nut11", group: "sig_all_swap").first { $0["valid"]?.boolValue == true })
        var request = try Self.swap(v.at("input", "swap_request"))
        request.outputs[0].amount = Amount(request.outputs[0].amount.rawValue + 1)
        #expect(throws: CashuError.self) { try SpendingConditionVerifier.verify(inputs: request.inputs, outputs: request.outputs, now: Self.now) }
    }

    @Test("P2PK key canonicalisation examples")
    func canonicalisation() throws {
        let cases = try Vectors.cases("spec_examples")
        let equivalent = try #require(cases.first { $0.string("name").hasPrefix("P2PK public key canonicalisation") })
        let keys = try (equivalent.at("input", "keys").arrayValue ?? []).map { try Point(hex: #require($0.stringValue)) }
        #expect(Set(keys.map(\.xOnly)).count == 1)
        func secret(data: String, tag: String, key: String) -> String {
            WellKnownSecret(kind: .p2pk, data: data, tags: [[tag, key]], nonce: "00").serialized
        }
        let duplicated = try #require(cases.first { $0.string("name").hasPrefix("P2PK key duplicated in main pathway") })
        let dupSecret = secret(data: duplicated.string("input", "data"), tag: "pubkeys", key: try #require(duplicated.at("input", "pubkeys")[0]?.stringValue))
        #expect(throws: (any Error).self) { try SpendingCondition(WellKnownSecret(parsing: dupSecret)) }
        let both = try #require(cases.first { $0.string("name").hasPrefix("P2PK key allowed in both pathways") })
        let bothSecret = secret(data: both.string("input", "data"), tag: "refund", key: try #require(both.at("input", "refund")[0]?.stringValue))
        #expect(try SpendingCondition(WellKnownSecret(parsing: bothSecret)) != nil)
        let basic = try #require(cases.first { $0.string("name").hasPrefix("P2PK basic-case example proof") })
        try SpendingConditionVerifier.verify(inputs: [Self.proof(basic.at("input", "proof"))], outputs: [], now: Self.now)
    }

    @Test("malformed P2PK secrets are rejected", arguments: [
        [["sigflag", "SIG_INPUTS"], ["sigflag", "SIG_INPUTS"]],
        [["sigflag", "SIG_SOME"]],
        [["n_sigs", "0"]],
        [["n_sigs", "2"]],  // only the data key in the main pathway
        [["n_sigs", "x"]],
        [["n_sigs", "01"]],
        [["refund", "02"]],
        [["n_sigs_refund", "1"]],  // no refund keys
        [["pubkeys", "02698c4e2b5f9534cd0687d87513c759790cf829aa5739184a3e3735471fbda904"], ["pubkeys", "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"]],
    ])
    func malformed(_ tags: [[String]]) {
        let secret = WellKnownSecret(kind: .p2pk, data: "0249098aa8b9d2fbec49ff8598feb17b592b986e62319a4fa488a3dc36387157a7", tags: tags)
        #expect(throws: (any Error).self) { try SpendingCondition(secret) }
    }

    @Test("NUT-20 mint request signatures", arguments: try Vectors.cases("nut20"))
    func nut20(_ v: JSONValue) throws {
        let pubkey = try Point(hex: v.string("input", "quote_pubkey"))
        let request = try JSONDecoder().decode(MintRequest.self, from: Data(v.at("input", "mint_request").serializedBytes))
        if let bytes = v["expected"]?["msg_to_sign_bytes"]?.arrayValue {
            #expect(request.signatureMessage(.specification) == bytes.compactMap { $0.uint64Value.map(UInt8.init) })
        }
        let valid = v["valid"]?.boolValue ?? true
        #expect(request.hasValidSignature(for: pubkey) == valid)
    }

    @Test("NUT-20 signing round-trip in both formats; any change to quote or outputs breaks the signature",
          arguments: MintRequest.SignatureFormat.allCases)
    func nut20RoundTrip(_ format: MintRequest.SignatureFormat) throws {
        let key = Scalar.random()
        let id = try KeysetID(hex: "009a1f293253e41e")
        let outputs = try (1...3).map { i in BlindedMessage(amount: Amount(UInt64(i)), id: id, blindedSecret: try Scalar.random().publicPoint) }
        let request = try MintRequest(quote: "q-1", outputs: outputs).signed(with: key, format: format)
        #expect(request.hasValidSignature(for: try key.publicPoint))
        var changed = request
        changed.quote = "q-2"
        #expect(!changed.hasValidSignature(for: try key.publicPoint))
        changed = request
        changed.outputs.swapAt(0, 1)
        #expect(!changed.hasValidSignature(for: try key.publicPoint))
        #expect(!request.hasValidSignature(for: try Scalar.random().publicPoint))
        if format == .domainSeparatedV1 {
            // Amounts are covered too in this format.
            changed = request
            changed.outputs[0].amount = 5
            #expect(!changed.hasValidSignature(for: try key.publicPoint))
        }
    }

    @Test("20.md's example request is illustrative: its signature verifies in neither format")
    func nut20Example() throws {
        // The spec does not claim this example verifies, and it does not (checked with coincurve too); the same
        // signature string reappears in 29.md over another message. Pinned here so that a fixed example is noticed.
        let v = try #require(try Vectors.cases("spec_examples").first { $0.string("name").hasPrefix("NUT-20 example") })
        let request = try JSONDecoder().decode(MintRequest.self, from: Data(v.at("input", "mint_request").serializedBytes))
        let key = try Point(hex: v.string("input", "quote_pubkey"))
        #expect(request.outputs.count == 2 && request.signature != nil)
        #expect(!request.hasValidSignature(for: key))
    }

    @Test("NUT-29's NUT-20 vector is inconsistent: recorded, not trusted")
    func nut29Signature() throws {
        // tests/29-tests.md gives msg_hash 5ac550d5… for `utf8(quote) || B0 || B1` and a signature by sk = 1. Neither
        // reading of the formula (hex B_ as NUT-20 says, or raw 33-byte B_), nor the domain-separated format, hashes
        // to that value, and the signature verifies over none of them nor over msg_hash itself (checked with
        // coincurve too). So the vector cannot be passed; this test pins down the inconsistency so that a corrected
        // vector shows up as a failure here and gets a real test.
        let v = try #require(try Vectors.cases("nut29").first { $0.string("name") == "NUT-20 signature with valid ordering" })
        let outputs = try JSONDecoder().decode([BlindedMessage].self, from: Data(v.at("input", "request", "outputs").serializedBytes))
        let request = MintRequest(quote: v.string("input", "quote"), outputs: outputs, signature: v.string("expected", "signature_0"))
        let expectedHash = v.string("expected", "msg_hash")
        var raw = Array(request.quote.utf8)
        for o in outputs { raw += o.blindedSecret.compressed }
        let digests = MintRequest.SignatureFormat.allCases.map { Hex.encode(Array(SHA256.hash(data: request.signatureMessage($0)))) }
            + [Hex.encode(Array(SHA256.hash(data: raw)))]
        #expect(!digests.contains(expectedHash))
        let key = try Point(hex: v.string("input", "pubkey"))
        #expect(key == Point.generator)
        let sig = try SchnorrSignature(hex: v.string("expected", "signature_0"))
        #expect(!key.verifySchnorr(sig, message: try #require(Hex.decode(expectedHash))))
        #expect(!request.hasValidSignature(for: key))
    }
}
