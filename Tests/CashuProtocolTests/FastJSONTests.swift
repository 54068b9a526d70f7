import CashewEncoding
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import Testing

/// The mint's fast JSON paths must mean exactly what Foundation's Codable path means: where the fast reader answers
/// it gives the same value as `JSONDecoder`, and where it is unsure it answers nil (the mint then falls back).
@Suite("Fast JSON for swap requests and signature responses")
struct FastJSONTests {
    static func randomRequest() throws -> SwapRequest {
        let ids = try [KeysetID(bytes: [0] + SecureRandom.bytes(7)), KeysetID(bytes: [1] + SecureRandom.bytes(32))]
        let inputs = try (0..<Int.random(in: 1...4)).map { _ in
            Proof(
                amount: Amount(UInt64.random(in: 0...UInt64.max) >> UInt64.random(in: 0...63)), id: ids.randomElement()!,
                secret: Bool.random() ? Hex.encode(SecureRandom.bytes(32)) : #"["P2PK",{"nonce":"é\n\"x\"","data":"02","tags":[]}]"#,
                signature: try Scalar.random().publicPoint,
                witness: Bool.random() ? #"{"signatures":["00"]}"# : nil,
                dleq: Bool.random() ? ProofDLEQ(e: .random(), s: .random(), r: .random()) : nil,
                p2pkEphemeralKey: Bool.random() ? try Scalar.random().publicPoint : nil)
        }
        let outputs = try (0..<Int.random(in: 0...4)).map { _ in
            BlindedMessage(amount: Amount(UInt64.random(in: 0...UInt64.max)), id: ids.randomElement()!, blindedSecret: try Scalar.random().publicPoint)
        }
        return SwapRequest(inputs: inputs, outputs: outputs)
    }

    static func fast(_ text: String) -> SwapRequest? {
        Array(text.utf8).withUnsafeBytes { SwapRequest(fastJSON: $0) }
    }

    @Test("random requests read the same as JSONDecoder, compact and pretty-printed")
    func randomRoundTrips() throws {
        for _ in 0..<200 {
            let request = try Self.randomRequest()
            for formatting in [JSONEncoder.OutputFormatting(), [.prettyPrinted, .sortedKeys], [.withoutEscapingSlashes]] {
                let encoder = JSONEncoder()
                encoder.outputFormatting = formatting
                let bytes = try encoder.encode(request)
                let fast = bytes.withUnsafeBytes { SwapRequest(fastJSON: $0) }
                #expect(fast == request)
                #expect(fast == (try JSONDecoder().decode(SwapRequest.self, from: bytes)))
            }
        }
    }

    @Test("unknown members are ignored and null optionals are absent, as with JSONDecoder")
    func tolerantLikeCodable() throws {
        let c = try Scalar.random().publicPoint.hex
        let b = try Scalar.random().publicPoint.hex
        let text = """
            { "extra": [1, {"x": null}], "outputs": [ {"B_": "\(b)", "id": "009a1f293253e41e", "amount": 8, "note": "hi"} ],
              "inputs": [ {"amount": 2, "id": "009a1f293253e41e", "secret": "s\\u00e9", "C": "\(c)", "witness": null, "dleq": null, "p2pk_e": null} ] }
            """
        let fast = try #require(Self.fast(text))
        #expect(fast == (try JSONDecoder().decode(SwapRequest.self, from: Data(text.utf8))))
        #expect(fast.inputs[0].secret == "sé" && fast.inputs[0].witness == nil && fast.inputs[0].dleq == nil)
    }

    @Test("anything doubtful is left to JSONDecoder", arguments: [
        #"{"inputs":[],"outputs":[],"inputs":[]}"#,  // duplicate key
        #"{"inputs":[{"amount":1.0,"id":"009a1f293253e41e","secret":"s","C":"PT"}],"outputs":[]}"#,  // non-integer amount
        #"{"inputs":[{"amount":-1,"id":"009a1f293253e41e","secret":"s","C":"PT"}],"outputs":[]}"#,
        #"{"inputs":[{"amount":18446744073709551616,"id":"009a1f293253e41e","secret":"s","C":"PT"}],"outputs":[]}"#,
        #"{"inputs":[{"amount":"1","id":"009a1f293253e41e","secret":"s","C":"PT"}],"outputs":[]}"#,
        #"{"inputs":[{"amount":1,"id":"009a1f293253e41e","secret":null,"C":"PT"}],"outputs":[]}"#,
        #"{"inputs":[{"amount":1,"id":"xyz","secret":"s","C":"PT"}],"outputs":[]}"#,
        #"{"inputs":[{"amount":1,"id":"009a1f293253e41e","secret":"s","C":"02ff"}],"outputs":[]}"#,
        #"{"inputs":[{"amount":1,"id":"009a1f293253e41e","secret":"s","C":"PT","witness":{"signatures":[]}}],"outputs":[]}"#,
        #"{"inputs":[{"amount":1,"id":"009a1f293253e41e","secret":"s","C":"PT","dleq":{"e":"00"}}],"outputs":[]}"#,
        #"{"inputs":[],"outputs":[{"amount":1,"id":"009a1f293253e41e"}]}"#,  // missing B_
        #"{"inputs":[]}"#,
        #"[]"#, #"{"inputs":[],"outputs":[]} x"#, "",
    ])
    func doubtful(_ template: String) throws {
        let text = template.replacingOccurrences(of: "PT", with: try Scalar.random().publicPoint.hex)
        #expect(Self.fast(text) == nil)
    }

    @Test("mint requests read the same as JSONDecoder; doubtful ones are left to it")
    func mintRequests() throws {
        for _ in 0..<100 {
            let outputs = try Self.randomRequest().outputs
            let request = MintRequest(quote: "q-\(Int.random(in: 0...9999))\u{e9}", outputs: outputs, signature: Bool.random() ? Hex.encode(SecureRandom.bytes(64)) : nil)
            let bytes = try JSONEncoder().encode(request)
            #expect(bytes.withUnsafeBytes { MintRequest(fastJSON: $0) } == request)
        }
        let b = try Scalar.random().publicPoint.hex
        let withNull = #"{"quote":"q","signature":null,"outputs":[{"amount":1,"id":"009a1f293253e41e","B_":"\#(b)"}]}"#
        #expect(Array(withNull.utf8).withUnsafeBytes { MintRequest(fastJSON: $0) } == (try JSONDecoder().decode(MintRequest.self, from: Data(withNull.utf8))))
        for doubtful in [#"{"quote":1,"outputs":[]}"#, #"{"quote":"q","outputs":[],"signature":7}"#, #"{"outputs":[]}"#] {
            #expect(Array(doubtful.utf8).withUnsafeBytes { MintRequest(fastJSON: $0) } == nil)
        }
    }

    @Test("fast responses read back with JSONDecoder to the same signatures")
    func responses() throws {
        for _ in 0..<100 {
            let id = try KeysetID(bytes: [1] + SecureRandom.bytes(32))
            let signatures = try (0..<Int.random(in: 0...5)).map { _ in
                BlindSignature(
                    amount: Amount(UInt64.random(in: 0...UInt64.max)), id: id, blindSignature: try Scalar.random().publicPoint,
                    dleq: Bool.random() ? BlindSignatureDLEQ(e: .random(), s: .random()) : nil)
            }
            var swap = [UInt8]()
            SwapResponse(signatures: signatures).fastJSON(into: &swap)
            #expect(try JSONDecoder().decode(SwapResponse.self, from: Data(swap)).signatures == signatures)
            var mint = [UInt8]()
            MintResponse(signatures: signatures).fastJSON(into: &mint)
            #expect(try JSONDecoder().decode(MintResponse.self, from: Data(mint)).signatures == signatures)
            // Same members as the Codable encoding (whose member order varies).
            let codable = try JSONValue(parsing: JSONEncoder().encode(SwapResponse(signatures: signatures)))
            #expect(Self.sorted(try JSONValue(parsing: swap)) == Self.sorted(codable))
        }
    }

    /// The value with every object's members in key order.
    static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case let .object(pairs): .object(pairs.map { ($0.0, sorted($0.1)) }.sorted { $0.0 < $1.0 })
        case let .array(items): .array(items.map(sorted))
        default: value
        }
    }
}
