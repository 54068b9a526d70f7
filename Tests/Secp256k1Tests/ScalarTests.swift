import CashewEncoding
import Secp256k1
import Testing

@Suite("Scalar arithmetic modulo n")
struct ScalarTests {
    static let n = Scalar.orderBytes

    @Test("parsing: 32 bytes below n; zero allowed; n and above rejected")
    func parsing() throws {
        #expect(try Scalar(bytes: [UInt8](repeating: 0, count: 32)).isZero)
        #expect(throws: Secp256k1Error.self) { try Scalar(bytes: Self.n) }
        #expect(throws: Secp256k1Error.self) { try Scalar(bytes: [UInt8](repeating: 0xFF, count: 32)) }
        #expect(throws: Secp256k1Error.self) { try Scalar(bytes: [1, 2, 3]) }
        #expect(throws: Secp256k1Error.self) { try Scalar(hex: "zz" + String(repeating: "0", count: 62)) }
        var nMinus1 = Self.n
        nMinus1[31] -= 1
        #expect(try Scalar(bytes: nMinus1).bytes == nMinus1)
        #expect(try Scalar(bytes: nMinus1) == -Scalar.one)
    }

    @Test("reduction modulo n")
    func reduction() {
        #expect(Scalar(reducing: Self.n).isZero)
        var nPlus1 = Self.n
        nPlus1[31] += 1
        #expect(Scalar(reducing: nPlus1) == .one)
        // 2^256 − 1 mod n = 2^256 − 1 − n
        let max = Scalar(reducing: [UInt8](repeating: 0xFF, count: 32))
        #expect(max.hex == "000000000000000000000000000000014551231950b75fc4402da1732fc9bebe")
    }

    @Test("ring laws on random scalars")
    func laws() {
        for _ in 0..<200 {
            let a = Scalar.random(), b = Scalar.random(), c = Scalar.random()
            #expect((a + b) - b == a)
            #expect(a + b == b + a)
            #expect(a * b == b * a)
            #expect(a * (b + c) == a * b + a * c)
            #expect(-(-a) == a)
            #expect((a + (-a)).isZero)
            #expect(a * .one == a)
            #expect((a * .zero).isZero)
            #expect(a + .zero == a && .zero + a == a)
            #expect((a - a).isZero)
        }
        #expect((-Scalar.zero).isZero)
    }

    @Test("secrets are not printed")
    func redaction() {
        let a = Scalar.random()
        #expect(!String(describing: a).contains(a.hex))
        #expect(!"\(a)".contains(a.hex.prefix(8)))
    }
}
