import CashuCrypto
import Secp256k1
import Testing

@testable import CashewAudit

/// The auditor's batched `C = k·P` checks: a batch that holds gives nothing; one wrong relation anywhere in it (a
/// wrong C, a negated C with the same x, a C under another amount's key) is found and only that one is named.
@Suite("Audit: relations checked in batches")
struct KeyRelationsTests {
    static func finding(_ key: String) -> AuditFinding {
        AuditFinding(check: .redeemedProofs, severity: .critical, table: "proofs", key: key, detail: "forged")
    }

    static func batch(_ n: Int, keys: [Scalar]) throws -> KeyRelations {
        var r = KeyRelations()
        for i in 0..<n {
            let k = keys[i % keys.count]
            let p = try HashToCurve.point(forSecret: "secret \(i)")
            r.append(keyID: "k\(i % keys.count)", key: k, point: p, result: try p.multiplied(by: k), finding: finding("row \(i)"))
        }
        return r
    }

    @Test("a batch of 1 to 500 good relations under 1 to 5 keys holds")
    func holds() throws {
        let keys = (0..<5).map { _ in Scalar.random() }
        for (n, k) in [(1, 1), (7, 2), (64, 5), (500, 3)] {
            #expect(try Self.batch(n, keys: Array(keys.prefix(k))).failures().isEmpty, "\(n)")
        }
        #expect(KeyRelations().failures().isEmpty)
    }

    @Test("one bad relation in 300 is named, whatever is wrong with it")
    func names() throws {
        let keys = (0..<3).map { _ in Scalar.random() }
        let good = try Self.batch(300, keys: keys)
        let p = try HashToCurve.point(forSecret: "bad")
        let k = keys[1]
        let right = try p.multiplied(by: k)
        for (label, result) in [
            ("another point", try Scalar.random().publicPoint), ("negated", right.negated()), ("another key's", try p.multiplied(by: keys[2])),
            ("doubled", try right.adding(right)),
        ] {
            var batch = good
            batch.append(keyID: "k1", key: k, point: p, result: result, finding: Self.finding("bad"))
            let found = batch.failures()
            #expect(found.map(\.key) == ["bad"], "\(label): \(found.map(\.key))")
        }
    }
}
