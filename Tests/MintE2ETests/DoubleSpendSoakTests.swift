import CashuCrypto
import CashuProtocol
import Foundation
import TestSupport
import Testing

/// Repeated double-spend storms against PostgreSQL: many concurrent swaps of the same proofs, round after round,
/// must neither wedge the ledger (a one-request-loop denial of service) nor let more than one swap win.
@Suite("Double-spend soak on PostgreSQL", .enabled(if: PostgresTestServer.available), .serialized)
struct DoubleSpendSoakTests {
    static let rounds = 40
    static let racers = 50

    @Test("40 rounds of 50 racers, one process", .timeLimit(.minutes(5)))
    func oneProcess() async throws {
        try await PostgresTestServer.withDatabase { database in
            let a = try await CashewMintProcess(database: database)
            defer {
                a.stop()
                a.removeData()
            }
            try await soak(urls: [a.url], dataDir: a.dataDir, database: database, logs: { a.logs })
            #expect(a.stop() == 0, "the mint stops gracefully after the soak")
        }
    }

    @Test("40 rounds of 50 racers, two processes on one database", .timeLimit(.minutes(5)))
    func twoProcesses() async throws {
        try await PostgresTestServer.withDatabase { database in
            try await CashewMintProcess.withPair(database: database) { a, b in
                try await soak(urls: [a.url, b.url], dataDir: a.dataDir, database: database, logs: { a.logs + b.logs })
                #expect(a.stop() == 0 && b.stop() == 0, "both mints stop gracefully after the soak")
            }
        }
    }

    func soak(urls: [String], dataDir: String, database: String, logs: () -> String) async throws {
        let wallet = HTTPWallet(url: urls[0])
        let keyset = try await wallet.keyset()
        let proofs = try await wallet.mint(Amount(UInt64(2 * Self.rounds)), split: Array(repeating: 1, count: 2 * Self.rounds))
        for round in 0..<Self.rounds {
            let inputs = Array(proofs[2 * round..<2 * round + 2])
            let outcomes = await withTaskGroup(of: Int.self) { group in
                for i in 0..<Self.racers {
                    let url = urls[i % urls.count]
                    group.addTask {
                        // 0: won; a NUT code: refused; -1: no answer within 30 s (the wedge).
                        guard let outputs = try? BlindedOutputs([1, 1], keyset: keyset.id) else { return -2 }
                        switch try? await HTTPJSON.post(
                            SwapResponse.self, url + "/v1/swap", SwapRequest(inputs: inputs, outputs: outputs.messages), timeout: 30)
                        {
                        case .ok?: return 0
                        case let .error(e, _)?: return e.code.rawValue
                        case nil: return -1
                        }
                    }
                }
                return await group.reduce(into: [Int]()) { $0.append($1) }
            }
            let wins = outcomes.filter { $0 == 0 }.count
            let refusals = outcomes.filter { $0 == 11001 || $0 == 11002 }.count
            try #require(wins == 1 && refusals == Self.racers - 1, "round \(round): \(outcomes.sorted())\n\(logs().suffix(3000))")
        }

        // The ledger still answers, promptly, on every process.
        var quotes = [(url: String, id: String)]()
        for url in urls {
            let started = Date()
            let health = try await HTTPJSON.raw(url + "/health", timeout: 5)
            #expect(health.status == 200 && Date().timeIntervalSince(started) < 1, "health \(health) after \(Date().timeIntervalSince(started)) s")
            let quoteStarted = Date()
            let quote = try await HTTPJSON.post(
                MintQuoteBolt11Response.self, url + "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 1, unit: .sat), timeout: 5)
            #expect(Date().timeIntervalSince(quoteStarted) < 1, "a mint quote took \(Date().timeIntervalSince(quoteStarted)) s")
            quotes.append((url, try HTTPJSON.value(quote).quote))
        }
        // Paid before the audit (the fake node pays after a second), so that the audit always sees paid quotes.
        for (url, id) in quotes {
            var state = MintQuoteState.unpaid
            for _ in 0..<150 where state != .paid {
                state = try HTTPJSON.value(try await HTTPJSON.get(MintQuoteBolt11Response.self, url + "/v1/mint/quote/bolt11/" + id, timeout: 5)).state
                if state != .paid { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(state == .paid, "quote \(id) on \(url)")
        }

        // Spending the raced proofs once more fails for every one of them; the ledger adds up.
        for round in 0..<Self.rounds {
            let outputs = try BlindedOutputs([1, 1], keyset: keyset.id)
            let again = try await HTTPJSON.post(
                SwapResponse.self, urls[round % urls.count] + "/v1/swap",
                SwapRequest(inputs: Array(proofs[2 * round..<2 * round + 2]), outputs: outputs.messages), timeout: 10)
            guard case let .error(e, _) = again else {
                Issue.record("round \(round)'s proofs were spent twice")
                continue
            }
            #expect(e.code == .proofsAlreadySpent)
        }
        #expect(try await wallet.states(proofs).allSatisfy { $0 == .spent })
        // Each process runs its own fake Lightning node, and the audit reads the first one's: a quote the second
        // process saw paid (the health check's, once its 1 s delay has passed) is unknown there. So two processes are
        // audited without the backend, as the other multi-process tests are; one process with it.
        let backend = urls.count == 1 ? [] : ["--no-backend"]
        let audit = try await Interop.run(CashewMintProcess.executable, ["audit", "--json", "--data-dir", dataDir, "--database", database] + backend)
        #expect(audit.status == 0, "\(audit.stderr)\n\(audit.stdout)")
        let sat = try #require(try JSONDecoder().decode(AuditJSON.self, from: Data(audit.stdout.utf8)).units.first)
        let minted = UInt64(2 * Self.rounds)
        #expect(sat.issued == 2 * minted && sat.redeemed == minted && sat.outstanding == minted, "\(audit.stdout)")
    }
}
