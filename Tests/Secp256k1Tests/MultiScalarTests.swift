import Secp256k1
import Testing

/// `MultiScalar`: the bucket method against the plain sum of products, for sizes on both sides of every window
/// width, with cancelling terms and zero weights.
@Suite("Multi-scalar sums")
struct MultiScalarTests {
    static func naive(_ scalars: [UInt64], _ points: [Point]) throws -> Point? {
        var terms = [Point]()
        for (z, p) in zip(scalars, points) where z != 0 { terms.append(try p.multiplied(by: Scalar(UInt64: z))) }
        return MultiScalar.sum(terms)
    }

    @Test("Σ z·P equals the sum of the products, for 1 to 300 terms and 2,000")
    func agrees() throws {
        var g = SystemRandomNumberGenerator()
        for n in Array(1...40) + [63, 64, 65, 127, 128, 200, 300, 2000] {
            let points = try (0..<n).map { _ in try Scalar.random().publicPoint }
            let scalars = (0..<n).map { i in i % 7 == 3 ? 0 : UInt64.random(in: 1...UInt64.max, using: &g) }
            #expect(MultiScalar.sum(scalars, points) == (try Self.naive(scalars, points)), "n = \(n)")
        }
    }

    @Test("terms that cancel: P and −P with one weight give nothing; with others, the difference")
    func cancelling() throws {
        let p = try Scalar.random().publicPoint
        let q = try Scalar.random().publicPoint
        #expect(MultiScalar.sum([5, 5], [p, p.negated()]) == nil)
        let many = Array(repeating: p, count: 20) + Array(repeating: p.negated(), count: 20)
        #expect(MultiScalar.sum(Array(repeating: 9, count: 40), many) == nil)
        #expect(MultiScalar.sum(Array(repeating: 9, count: 40) + [3], many + [q]) == (try q.multiplied(by: Scalar(UInt64: 3))))
        #expect(MultiScalar.sum([7, 5], [p, p.negated()]) == (try p.multiplied(by: Scalar(UInt64: 2))))
        #expect(MultiScalar.sum([], []) == nil && MultiScalar.sum([p, p.negated()]) == nil && MultiScalar.sum([p]) == p)
        #expect(MultiScalar.sum(Array(repeating: 0, count: 50), Array(repeating: p, count: 50)) == nil)
    }
}
