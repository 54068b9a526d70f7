import CashewEncoding
import Testing

@Suite("Bech32 and Bech32m")
struct Bech32Tests {
    @Test("BIP-173 valid strings", arguments: [
        "A12UEL5L", "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "?1ezyfcl",
    ])
    func bech32Valid(_ s: String) throws {
        let d = try Bech32.decode(s)
        #expect(d.variant == .bech32)
        #expect(Bech32.encode(hrp: d.hrp, data: d.data, variant: .bech32) == s.lowercased())
    }

    @Test("BIP-350 valid Bech32m strings", arguments: [
        "A1LQFN3A", "a1lqfn3a", "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
        "split1checkupstagehandshakeupstreamerranterredcaperredlc445v", "?1v759aa",
    ])
    func bech32mValid(_ s: String) throws {
        let d = try Bech32.decode(s)
        #expect(d.variant == .bech32m)
        #expect(Bech32.encode(hrp: d.hrp, data: d.data, variant: .bech32m) == s.lowercased())
    }

    @Test("invalid strings", arguments: [
        "", "1nwldj5", "pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "A1G7SGD8", "10a06t8", "1qzzfhee",
        "a12UEL5L", "A12uel5l", "abc1rzg", "a12uel5m",
    ])
    func invalid(_ s: String) {
        #expect(throws: Bech32.DecodingError.self) { try Bech32.decode(s) }
    }

    @Test("length limits only when asked")
    func lengthLimit() throws {
        let long = Bech32.encode(hrp: "ln", data: [UInt8](repeating: 7, count: 500), variant: .bech32)
        #expect(try Bech32.decode(long).data.count == 500)
        #expect(throws: Bech32.DecodingError.self) { try Bech32.decode(long, maxLength: 90) }
    }

    @Test("bit regrouping round-trips and rejects bad padding")
    func convertBits() {
        for length in 0..<40 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255) }
            let five = Bech32.convertBits(bytes, from: 8, to: 5, pad: true)!
            #expect(Bech32.convertBits(five, from: 5, to: 8, pad: false) == bytes)
        }
        #expect(Bech32.convertBits([0xFF], from: 5, to: 8, pad: false) == nil)  // value out of range
        #expect(Bech32.convertBits([31], from: 5, to: 8, pad: false) == nil)  // non-zero padding
    }
}
