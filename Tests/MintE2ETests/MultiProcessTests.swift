import CashuCrypto
import CashuProtocol
import Foundation
import TestSupport
import Testing

/// Two `cashew-mint` processes on one PostgreSQL database: the database alone decides double spends.
@Suite("Two mint processes on one PostgreSQL", .enabled(if: PostgresTestServer.available), .serialized)
struct MultiProcessTests {
    @Test("50 clients race to spend the same proofs through both processes: exactly one swap wins")
    func race() async throws {
        try await PostgresTestServer.withDatabase { database in
            // Same seed (copied from a's data directory) and database; each its own data directory and port.
            try await CashewMintProcess.withPair(database: database) { a, b in
                let walletA = HTTPWallet(url: a.url)
                let keyset = try await walletA.keyset()
                #expect(try await HTTPWallet(url: b.url).keyset().id == keyset.id)

                let proofs = try await walletA.mint(64, split: [32, 32])
                let outcomes = await withTaskGroup(of: HTTPJSON.Outcome<SwapResponse>?.self) { group in
                    for i in 0..<50 {
                        let url = i % 2 == 0 ? a.url : b.url
                        group.addTask {
                            guard let outputs = try? BlindedOutputs([32, 16, 16], keyset: keyset.id) else { return nil }
                            return try? await HTTPJSON.post(SwapResponse.self, url + "/v1/swap", SwapRequest(inputs: proofs, outputs: outputs.messages))
                        }
                    }
                    return await group.reduce(into: [HTTPJSON.Outcome<SwapResponse>?]()) { $0.append($1) }
                }
                var wins = 0
                var codes = [Int]()
                for outcome in outcomes {
                    switch outcome {
                    case .ok?: wins += 1
                    case let .error(e, _)?: codes.append(e.code.rawValue)
                    case nil: codes.append(-1)
                    }
                }
                #expect(wins == 1)
                #expect(codes.allSatisfy { $0 == 11001 || $0 == 11002 }, "\(codes)")
                #expect(try await walletA.states(proofs) == [.spent, .spent])

                // The ledger adds up: 64 issued by the mint, 64 more by the one swap; 64 redeemed.
                let audit = try Interop.run(CashewMintProcess.executable, ["audit", "--json", "--data-dir", a.dataDir, "--database", database])
                #expect(audit.status == 0, "\(audit.stderr)")
                let sat = try #require(try JSONDecoder().decode(AuditJSON.self, from: Data(audit.stdout.utf8)).units.first)
                #expect(sat.issued == 128 && sat.redeemed == 64 && sat.outstanding == 64)
            }
        }
    }
}
