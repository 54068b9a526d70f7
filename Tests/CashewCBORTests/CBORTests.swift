import CashewCBOR
import CashewEncoding
import Testing

@Suite("CBOR")
struct CBORTests {
    @Test("RFC 8949 Appendix A encodings round-trip", arguments: [
        ("00", CBORValue.unsigned(0)), ("17", .unsigned(23)), ("1818", .unsigned(24)), ("1903e8", .unsigned(1000)),
        ("1bffffffffffffffff", .unsigned(UInt64.max)), ("20", .negative(0)), ("3863", .negative(99)),
        ("40", .bytes([])), ("4401020304", .bytes([1, 2, 3, 4])), ("60", .text("")), ("6161", .text("a")),
        ("62c3bc", .text("ü")), ("80", .array([])), ("83010203", .array([.unsigned(1), .unsigned(2), .unsigned(3)])),
        ("a0", .map([])), ("a201020304", .map([CBORPair(.unsigned(1), .unsigned(2)), CBORPair(.unsigned(3), .unsigned(4))])),
        ("f4", .bool(false)), ("f5", .bool(true)), ("f6", .null), ("f7", .undefined), ("f0", .simple(16)),
        ("f8ff", .simple(255)), ("c11a514b67b0", .tagged(1, .unsigned(1_363_896_240))),
    ])
    func appendixA(_ hex: String, _ value: CBORValue) throws {
        let bytes = try #require(Hex.decode(hex))
        #expect(try CBORValue(decoding: bytes) == value)
        #expect(value.encoded == bytes)
    }

    @Test("indefinite lengths decode", arguments: [
        ("5f42010243030405ff", CBORValue.bytes([1, 2, 3, 4, 5])),
        ("7f657374726561646d696e67ff", .text("streaming")),
        ("9fff", .array([])),
        ("9f018202039f0405ffff", .array([.unsigned(1), .array([.unsigned(2), .unsigned(3)]), .array([.unsigned(4), .unsigned(5)])])),
        ("bf61610161629f0203ffff", .map([CBORPair("a", .unsigned(1)), CBORPair("b", .array([.unsigned(2), .unsigned(3)]))])),
    ])
    func indefinite(_ hex: String, _ value: CBORValue) throws {
        #expect(try CBORValue(decoding: #require(Hex.decode(hex))) == value)
    }

    @Test("floats decode", arguments: [("f93c00", 1.0), ("f97bff", 65504.0), ("fa47c35000", 100000.0), ("fb3ff199999999999a", 1.1), ("f90001", 5.960464477539063e-8)])
    func floats(_ hex: String, _ value: Double) throws {
        #expect(try CBORValue(decoding: #require(Hex.decode(hex))) == .float(value))
    }

    @Test("malformed input is rejected", arguments: [
        "", "18", "1c", "1f", "ff", "41", "5f4101", "5f6161ff", "5f5fffff", "9f", "a1", "a101", "a2616101616102",
        "62c3", "61ff", "f818", "fc", "7f", "bf01ff", "0000", "c1", "1b000000ffffffff",
        "5b00000000ffffffff", "9b00000000ffffffff", "bb7fffffffffffffff",
    ])
    func malformed(_ hex: String) throws {
        let bytes = try #require(Hex.decode(hex))
        #expect(throws: CBORError.self) { try CBORValue(decoding: bytes) }
    }

    @Test("deep nesting is rejected, not a stack overflow")
    func depth() {
        #expect(throws: CBORError.self) { try CBORValue(decoding: [UInt8](repeating: 0x81, count: 100_000) + [0]) }
        #expect(throws: CBORError.self) { try CBORValue(decoding: [UInt8](repeating: 0x9F, count: 100_000)) }
        #expect(throws: CBORError.self) { try CBORValue(decoding: [UInt8](repeating: 0xC1, count: 100_000) + [0]) }
    }

    @Test("random values round-trip")
    func roundTrip() throws {
        var rng = SystemRandomNumberGenerator()
        func random(_ depth: Int) -> CBORValue {
            switch Int.random(in: 0..<(depth > 3 ? 6 : 9), using: &rng) {
            case 0: return .unsigned(UInt64.random(in: 0...UInt64.max, using: &rng) >> UInt64.random(in: 0...63, using: &rng))
            case 1: return .negative(UInt64.random(in: 0...1000, using: &rng))
            case 2: return .bytes((0..<Int.random(in: 0..<40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            case 3: return .text(String((0..<Int.random(in: 0..<30, using: &rng)).map { _ in "aé€😀z".randomElement(using: &rng)! }))
            case 4: return [.bool(true), .bool(false), .null, .undefined][Int.random(in: 0..<4, using: &rng)]
            case 5: return .float(Double.random(in: -1e9...1e9, using: &rng))
            case 6: return .array((0..<Int.random(in: 0..<5, using: &rng)).map { _ in random(depth + 1) })
            case 7:
                var pairs = [CBORPair]()
                for i in 0..<Int.random(in: 0..<5, using: &rng) { pairs.append(CBORPair("k\(i)", random(depth + 1))) }
                return .map(pairs)
            default: return .tagged(UInt64.random(in: 0...100, using: &rng), random(depth + 1))
            }
        }
        for _ in 0..<2000 {
            let v = random(0)
            #expect(try CBORValue(decoding: v.encoded) == v)
        }
    }

    @Test("random bytes and truncations never crash")
    func fuzz() throws {
        var rng = SystemRandomNumberGenerator()
        let sample = CBORValue.map([CBORPair("t", .array([.map([CBORPair("i", .bytes([0, 1, 2])), CBORPair("p", .array([.unsigned(1), .text("secret")]))])])), CBORPair("m", .text("http://x"))]).encoded
        for cut in 0..<sample.count {
            #expect(throws: CBORError.self) { try CBORValue(decoding: sample.prefix(cut)) }
        }
        for _ in 0..<20_000 {
            var bytes = sample
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            _ = try? CBORValue(decoding: bytes)
            let junk = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? CBORValue(decoding: junk)
        }
    }
}
