import CashewEncoding
import Secp256k1
import Testing

@Suite("Points on secp256k1")
struct PointTests {
    static let gHex = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"

    @Test("the generator and its encodings")
    func generator() throws {
        #expect(Point.generator.hex == Self.gHex)
        #expect(Point.generator.uncompressed.count == 65 && Point.generator.uncompressed[0] == 4)
        #expect(try Point(Point.generator.uncompressed) == Point.generator)
        #expect(try Point(hex: Self.gHex.uppercased()) == Point.generator)
        #expect(Point.generator.hasEvenY)
        #expect(Point.generator.xOnly.count == 32)
    }

    @Test("rejects bad encodings", arguments: [
        "", "02", "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f817",  // short
        "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",  // 04 prefix with 33 bytes
        "0579be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",  // bad prefix
        "020000000000000000000000000000000000000000000000000000000000000000",  // x = 0 is not on the curve
        "02fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  // odd length
        "02fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f",  // x = p
        "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f8179g",  // not hex
    ])
    func rejects(_ hex: String) {
        #expect(throws: Secp256k1Error.self) { try Point(hex: hex) }
    }

    @Test("hybrid encodings (06/07) are rejected")
    func hybrid() throws {
        var bytes = Point.generator.uncompressed
        bytes[0] = 6
        #expect(throws: Secp256k1Error.self) { try Point(bytes) }
        #expect(throws: Secp256k1Error.self) { try Point(compressed: Point.generator.uncompressed) }
    }

    @Test("group laws on random points")
    func laws() throws {
        for _ in 0..<100 {
            let a = Scalar.random(), b = Scalar.random()
            let pa = try a.publicPoint, pb = try b.publicPoint
            #expect(try pa.adding(pb) == (a + b).publicPoint)
            #expect(try pa.multiplied(by: b) == (a * b).publicPoint)
            #expect(try pa.addingGeneratorMultiple(b) == (a + b).publicPoint)
            #expect(try pa.subtracting(pb).adding(pb) == pa)
            #expect(try pa.negated() == (-a).publicPoint)
            #expect(try Point(hex: pa.hex) == pa)
            #expect(try Point(pa.uncompressed) == pa)
            #expect(Set([pa, try Point(hex: pa.hex)]).count == 1)
        }
    }

    @Test("results without an encoding throw")
    func infinity() throws {
        let p = try Scalar.random().publicPoint
        #expect(throws: Secp256k1Error.self) { try p.adding(p.negated()) }
        #expect(throws: Secp256k1Error.self) { try p.multiplied(by: .zero) }
        #expect(throws: Secp256k1Error.self) { try Scalar.zero.publicPoint }
        #expect(try p.addingGeneratorMultiple(.zero) == p)
    }
}
