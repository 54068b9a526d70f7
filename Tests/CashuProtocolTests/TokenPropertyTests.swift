import CashewCBOR
import CashewEncoding
import CashuCrypto
import CashuProtocol
import Secp256k1
import Testing

@Suite("Token round trips and garbage")
struct TokenPropertyTests {
    static func randomToken() throws -> Token {
        let ids = try (0..<Int.random(in: 1...3)).map { _ in
            Bool.random() ? try KeysetID(bytes: [0] + SecureRandom.bytes(7)) : try KeysetID(bytes: [1] + SecureRandom.bytes(32))
        }
        let proofs = try (0..<Int.random(in: 1...6)).map { _ in
            Proof(
                amount: Amount(UInt64.random(in: 0...UInt64.max) >> UInt64.random(in: 0...63)),
                id: ids.randomElement()!,
                secret: Bool.random() ? Hex.encode(SecureRandom.bytes(32)) : #"["P2PK",{"nonce":"é","data":"02","tags":[["a","b"]]}]"#,
                signature: try Scalar.random().publicPoint,
                witness: Bool.random() ? #"{"signatures":["00"]}"# : nil,
                dleq: Bool.random() ? ProofDLEQ(e: .random(), s: .random(), r: .random()) : nil,
                p2pkEphemeralKey: Bool.random() ? try Scalar.random().publicPoint : nil)
        }
        return Token(mint: "https://mint.example.com:3338/cashu", unit: Bool.random() ? .sat : .usd,
                     memo: Bool.random() ? "thanks ✓ \"quoted\"" : nil, proofs: proofs)
    }

    @Test("V3, V4 and raw tokens round-trip (V4 keeps short keyset IDs)")
    func roundTrip() throws {
        for _ in 0..<300 {
            let token = try Self.randomToken()
            #expect(try Token(decoding: token.serialized(.v3)) == token)
            let v4 = try Token(decoding: token.serialized(.v4))
            // V4 groups proofs by keyset (in order of first appearance) and writes short keyset IDs.
            let keysetOrder = token.proofs.map(\.id).reduce(into: [KeysetID]()) { if !$0.contains($1) { $0.append($1) } }
            let grouped = keysetOrder.flatMap { id in token.proofs.filter { $0.id == id } }
            var expected = token
            expected.proofs = grouped.map { var p = $0; p.id = p.id.shortID; return p }
            #expect(v4 == expected)
            #expect(try Token(raw: token.serializedRaw()) == expected)
            let fullIDs = Set(token.proofs.map(\.id))
            #expect(try v4.proofs.map { try $0.id.resolve(among: fullIDs) } == grouped.map(\.id))
            // Tolerated wrappers: a cashu: URI prefix, whitespace, padding.
            let s = try token.serialized(.v4)
            #expect(try Token(decoding: "cashu:" + s + "\n") == expected)
            let padded = s + String(repeating: "=", count: (4 - (s.count - 6) % 4) % 4)
            #expect(try Token(decoding: padded) == expected)
        }
    }

    @Test("tokens need a unit for V4 and proofs to exist")
    func requiredParts() throws {
        var token = try Self.randomToken()
        token.unit = nil
        #expect(throws: TokenError.self) { try token.serialized(.v4) }
        #expect(try Token(decoding: token.serialized(.v3)).unit == nil)
        #expect(throws: TokenError.self) { try Token(decoding: "cashuA" + Base64URL.encode(Array(#"{"token":[]}"#.utf8))) }
        #expect(throws: TokenError.self) {
            try Token(decoding: "cashuB" + Base64URL.encode(CBORValue.map([CBORPair("m", .text("x")), CBORPair("u", .text("sat")), CBORPair("t", .array([]))]).encoded))
        }
        let twoMints = #"{"token":[{"mint":"a","proofs":[{"amount":1,"id":"009a1f293253e41e","secret":"s","C":"0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"}]},{"mint":"b","proofs":[{"amount":1,"id":"009a1f293253e41e","secret":"t","C":"0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"}]}]}"#
        #expect(throws: TokenError.self) { try Token(decoding: "cashuA" + Base64URL.encode(Array(twoMints.utf8))) }
    }

    @Test("garbage, truncations, mutations and huge lengths are errors, never crashes")
    func garbage() throws {
        for bad in ["", "cashu", "cashuA", "cashuB", "cashuC" + "AAAA", "casshuAeyJ0", "cashuA!!!!", "cashuB????", "crawB"] {
            #expect(throws: (any Error).self, "\(bad)") { try Token(decoding: bad) }
        }
        // CBOR heads that claim huge arrays, maps and strings.
        for head: [UInt8] in [[0x9B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0xBB, 0x7F, 0, 0, 0, 0, 0, 0, 0],
                              [0x5B, 0, 0, 0, 1, 0, 0, 0, 0], [0xA1, 0x61, 0x74, 0x9A, 0xFF, 0xFF, 0xFF, 0xFF]] {
            #expect(throws: TokenError.self) { try Token(decoding: "cashuB" + Base64URL.encode(head)) }
            #expect(throws: TokenError.self) { try Token(raw: Array("crawB".utf8) + head) }
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            let token = try Self.randomToken()
            for version in [Token.Version.v3, .v4] {
                let s = Array(try token.serialized(version).utf8)
                // Truncations.
                for cut in stride(from: 6, to: s.count, by: max(1, s.count / 25)) {
                    _ = try? Token(decoding: String(decoding: s.prefix(cut), as: UTF8.self))
                }
                // Mutations of the base64 text.
                let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
                for _ in 0..<20 {
                    var m = s
                    m[Int.random(in: 6..<m.count, using: &rng)] = alphabet.randomElement(using: &rng)!
                    _ = try? Token(decoding: String(decoding: m, as: UTF8.self))
                }
            }
            // Mutations of the raw CBOR bytes.
            let raw = try token.serializedRaw()
            for _ in 0..<20 {
                var m = raw
                m[Int.random(in: 5..<m.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                _ = try? Token(raw: m)
            }
            // Random bytes behind both prefixes.
            let junk = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(throws: (any Error).self) { try Token(decoding: "cashuB" + Base64URL.encode(junk) + "!") }
            _ = try? Token(decoding: "cashuA" + Base64URL.encode(junk))
            _ = try? Token(decoding: "cashuB" + Base64URL.encode(junk))
            _ = try? Token(raw: Array("crawB".utf8) + junk)
        }
    }
}
