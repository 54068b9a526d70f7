import ArgumentParser
import CashewBenchBaseline
import CashuCrypto
import Foundation
import Secp256k1

/// `cashew-bench crypto`: single-threaded rates of the mint's crypto, through the Swift API and, in the same run,
/// through libsecp256k1 directly in C.
struct CryptoBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto",
        abstract: "Single-threaded crypto rates, Swift and the C baseline in the same run.",
        discussion: """
            Prints one line per operation in the form `NAME: N ops/s` (the Swift figures), then the C baseline \
            (libsecp256k1 called directly, same algorithms) and the Swift/C ratio. Each figure is the best of \
            --rounds measurements of --seconds each, Swift and C alternating.
            """
    )

    @Option(help: "Seconds per measurement.")
    var seconds: Double = 0.4

    @Option(help: "Measurements per operation and implementation; the best counts.")
    var rounds: Int = 5

    @Flag(help: "Skip the C baseline.")
    var noBaseline = false

    struct Operation {
        let name: String
        let swift: (Int) -> Int
        let c: (Int) -> Int
    }

    func run() throws {
        guard seconds > 0, rounds > 0 else { throw ValidationError("--seconds and --rounds must be positive") }
        let fixture = try CryptoFixture(count: 1024)
        let baseline = try fixture.makeBaseline()
        defer { cashew_baseline_destroy(baseline) }
        let n = fixture.secrets.count
        let k = fixture.key
        let bigK = fixture.publicKey

        let operations: [Operation] = [
            Operation(name: "hash_to_curve", swift: { count in
                var ok = 0
                for i in 0..<count where (try? HashToCurve.point(forSecret: fixture.secrets[i % n])) != nil { ok += 1 }
                return ok
            }, c: { Int(cashew_baseline_hash_to_curve(baseline, UInt64($0))) }),
            Operation(name: "sign", swift: { count in
                var ok = 0
                for i in 0..<count where (try? BDHKE.sign(fixture.blinded[i % n], key: k)) != nil { ok += 1 }
                return ok
            }, c: { Int(cashew_baseline_sign(baseline, UInt64($0))) }),
            Operation(name: "sign+dleq", swift: { count in
                var ok = 0
                for i in 0..<count where (try? DLEQ.sign(fixture.blinded[i % n], key: k, publicKey: bigK)) != nil { ok += 1 }
                return ok
            }, c: { Int(cashew_baseline_sign_dleq(baseline, UInt64($0))) }),
            Operation(name: "verify", swift: { count in
                var ok = 0
                for i in 0..<count where BDHKE.verify(secret: fixture.secrets[i % n], signature: fixture.proofSignatures[i % n], key: k) {
                    ok += 1
                }
                return ok
            }, c: { Int(cashew_baseline_verify(baseline, UInt64($0))) }),
            Operation(name: "dleq_verify", swift: { count in
                var ok = 0
                for i in 0..<count {
                    let j = i % n
                    if DLEQ.verify(fixture.proofs[j], publicKey: bigK, blindedMessage: fixture.blinded[j], blindSignature: fixture.blindSignatures[j]) {
                        ok += 1
                    }
                }
                return ok
            }, c: { Int(cashew_baseline_dleq_verify(baseline, UInt64($0))) }),
            Operation(name: "swap_2x2+dleq", swift: { count in
                var ok = 0
                for i in 0..<count {
                    let j0 = (2 * i) % n
                    let j1 = (2 * i + 1) % n
                    var good = BDHKE.verify(secret: fixture.secrets[j0], signature: fixture.proofSignatures[j0], key: k)
                    good = BDHKE.verify(secret: fixture.secrets[j1], signature: fixture.proofSignatures[j1], key: k) && good
                    good = (try? DLEQ.sign(fixture.blinded[j0], key: k, publicKey: bigK)) != nil && good
                    good = (try? DLEQ.sign(fixture.blinded[j1], key: k, publicKey: bigK)) != nil && good
                    if good { ok += 1 }
                }
                return ok
            }, c: { Int(cashew_baseline_swap_2x2(baseline, UInt64($0))) }),
        ]

        let meter = RateMeter(budget: .milliseconds(Int(seconds * 1000)))
        var results = [(name: String, swift: Double, c: Double?)]()
        for op in operations {
            var bestSwift = 0.0
            var bestC = 0.0
            for _ in 0..<rounds {
                bestSwift = max(bestSwift, try meter.rate(op.name, op.swift))
                if !noBaseline { bestC = max(bestC, try meter.rate("c." + op.name, op.c)) }
            }
            print("\(op.name): \(Int(bestSwift.rounded())) ops/s")
            results.append((op.name, bestSwift, noBaseline ? nil : bestC))
        }
        guard !noBaseline else { return }
        print("")
        print("C baseline (libsecp256k1 directly, same algorithms, same run):")
        for r in results { print("c.\(r.name): \(Int((r.c ?? 0).rounded())) ops/s") }
        print("")
        print("Swift / C:")
        for r in results {
            let ratio = r.swift / (r.c ?? 1) * 100
            let verdict = ratio >= 90 ? "within 10%" : "MORE THAN 10% SLOWER"
            print("\(r.name): \(String(format: "%.1f", ratio))% (\(verdict))")
        }
    }
}
