import CashuProtocol
import Secp256k1
import Testing

@testable import CashewWallet

/// `cashew audit-mint`'s keyset lifecycle rules (the draft's rotation violations) over series of epochs.
@Suite("audit-mint: keyset lifecycle")
struct LiabilityLifecycleTests {
    typealias K = LiabilityCommitment.Keyset

    static func keyset(issued: UInt64 = 3, spent: UInt64 = 0, active: Bool = true, deactivation: UInt64 = 5) -> K {
        K(id: "00aa", unit: "sat", issuedSize: issued, issuedRoot: .init(hash: Array(repeating: UInt8(issued), count: 32), sum: issued * 10),
          spentSize: spent, spentRoot: .init(hash: Array(repeating: UInt8(spent), count: 32), sum: spent * 10), active: active, deactivationEpoch: deactivation)
    }

    static func findings(_ series: [K]) throws -> [MintLiabilityReport.Finding] {
        let key = try Scalar.random().publicPoint
        let manifests = try series.enumerated().map { i, k in
            try LiabilityManifest(keyset: k, epoch: UInt64(i + 1), closedAt: 1000 + UInt64(i), previous: Array(repeating: 0, count: 32), all: [k], signingKey: key, signature: "")
        }
        var report = MintLiabilityReport(mintURL: "x")
        Wallet.checkLifecycle(manifests, into: &report)
        return report.findings
    }

    @Test("a clean life passes; each violation is evidence at its epoch")
    func rules() throws {
        let clean = [Self.keyset(), Self.keyset(issued: 4, spent: 1), Self.keyset(issued: 5, spent: 1, active: false), Self.keyset(issued: 5, spent: 2, active: false),
                     Self.keyset(issued: 5, spent: 3, active: false)]
        #expect(try Self.findings(clean).isEmpty)
        let cases: [(String, [K], String)] = [
            ("reactivation", [Self.keyset(), Self.keyset(active: false), Self.keyset()], "reactivated"),
            ("declaration drift", [Self.keyset(), Self.keyset(deactivation: 6)], "deactivation_epoch changed"),
            ("issuance after lock", [Self.keyset(), Self.keyset(issued: 4, active: false), Self.keyset(issued: 5, active: false)], "issued after its lock"),
            ("deadline overrun", [Self.keyset(deactivation: 2), Self.keyset(deactivation: 2)], "still active"),
            ("shrinking tree", [Self.keyset(issued: 4), Self.keyset(issued: 3)], "shrank"),
            ("declared in the past", [Self.keyset(deactivation: 1)], "not after it"),
        ]
        for (name, series, text) in cases {
            let f = try Self.findings(series)
            #expect(f.contains { $0.severity == .evidence && $0.check == "lifecycle" && $0.detail.contains(text) }, "\(name): \(f)")
        }
    }
}
