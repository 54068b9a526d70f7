import CashewEncoding
import CashuCrypto
import CashuProtocol
import TestSupport
import Testing

/// NUT-26: every vector of the spec encodes to its string, and its string decodes to the same request.
@Suite("NUT-26 bech32m payment request vectors")
struct PaymentRequestBech32VectorTests {
    @Test("encodes to the vector's string; decodes (upper and lower case) to the same fields; re-encodes identically", arguments: try Vectors.cases("nut26"))
    func vector(_ v: JSONValue) throws {
        let name = v.string("name")
        let input = try PaymentRequestVectorTests.request(fromJSON: v.at("input", "payment_request"))
        let expected = v.string("expected", "encoded")
        #expect(try input.bech32Encoded() == expected, "\(name)")
        for text in [expected, expected.lowercased()] {
            let decoded = try PaymentRequest.parse(text)
            #expect(decoded.id == input.id && decoded.amount == input.amount && decoded.unit == input.unit, "\(name)")
            #expect(decoded.singleUse == input.singleUse && decoded.mints == input.mints && decoded.description == input.description, "\(name)")
            #expect(decoded.nut10 == input.nut10, "\(name)")
            #expect(decoded.transports?.count == input.transports?.count, "\(name)")
            for (got, want) in zip(decoded.transports ?? [], input.transports ?? []) {
                #expect(got.type == want.type && got.tags == want.tags, "\(name)")
                if want.type == "nostr" {
                    // The same key and relays (an nprofile without relays comes back as an npub, as NUT-26 says).
                    let (g, w) = (try NIP19.profile(got.target), try NIP19.profile(want.target))
                    #expect(g == w, "\(name)")
                    #expect(got.target == (w.relays.isEmpty ? g.encoded : want.target), "\(name)")
                } else {
                    #expect(got.target == want.target, "\(name)")
                }
            }
            #expect(try decoded.bech32Encoded() == expected, "\(name)")
        }
    }

    @Test("creqA still parses; bad strings are refused with a reason; unknown tags are skipped")
    func refusals() throws {
        let request = PaymentRequest(id: "x", amount: 5, unit: .sat, mints: ["https://mint.example"])
        #expect(try PaymentRequest.parse(request.encoded) == request)
        let good = try request.bech32Encoded()
        #expect(try PaymentRequest.parse("  " + good + "\n") == request)
        // A changed character breaks the checksum; mixed case and another prefix are refused.
        var broken = Array(good)
        broken[20] = broken[20] == "Q" ? "P" : "Q"
        #expect(throws: PaymentRequest.DecodingError.self) { try PaymentRequest.parse(String(broken)) }
        #expect(throws: PaymentRequest.DecodingError.self) { try PaymentRequest.parse("creqB1" + good.dropFirst(6).lowercased()) }
        let npub = NIP19.Profile(publicKey: Array(repeating: 1, count: 32)).encoded
        #expect(throws: PaymentRequest.DecodingError.self) { try PaymentRequest(decodingBech32: npub) }
        // A TLV field that runs past the end, and an unknown tag (0x09) that is skipped.
        func creqb(_ bytes: [UInt8]) -> String {
            Bech32.encode(hrp: "creqb", data: Bech32.convertBits(bytes, from: 8, to: 5, pad: true)!, variant: .bech32m)
        }
        #expect(throws: PaymentRequest.DecodingError.self) { try PaymentRequest.parse(creqb([0x01, 0x00, 0x05, 0x61])) }
        #expect(try PaymentRequest.parse(creqb([0x09, 0x00, 0x01, 0xff, 0x01, 0x00, 0x01, 0x61])).id == "a")
        // What NUT-26 cannot carry is refused when encoding.
        let other = PaymentRequest(id: "x", transports: [.init(type: "carrier-pigeon", target: "roof")])
        #expect(throws: PaymentRequest.DecodingError.self) { try other.bech32Encoded() }
        let badNostr = PaymentRequest(id: "x", transports: [.init(type: "nostr", target: "not-an-npub")])
        #expect(throws: PaymentRequest.DecodingError.self) { try badNostr.bech32Encoded() }
    }
}
