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
                let audit = try await Interop.run(CashewMintProcess.executable, ["audit", "--json", "--no-backend", "--data-dir", a.dataDir, "--database", database])
                #expect(audit.status == 0, "\(audit.stderr)")
                let sat = try #require(try JSONDecoder().decode(AuditJSON.self, from: Data(audit.stdout.utf8)).units.first)
                #expect(sat.issued == 128 && sat.redeemed == 64 && sat.outstanding == 64)
            }
        }
    }
}

extension MultiProcessTests {
    @Test("NUT-19: a swap answered by one process is replayed by the other and after a restart, byte for byte (respelled too); other outputs are a double spend")
    func replayAcrossProcesses() async throws {
        try await PostgresTestServer.withDatabase { database in
            try await CashewMintProcess.withPair(database: database) { a, b in
                let wallet = HTTPWallet(url: a.url)
                let keyset = try await wallet.keyset()
                let proofs = try await wallet.mint(64, split: [32, 32])
                let body = String(decoding: try JSONEncoder().encode(SwapRequest(inputs: proofs, outputs: try BlindedOutputs([32, 16, 16], keyset: keyset.id).messages)), as: UTF8.self)
                let first = try await HTTPJSON.raw(a.url + "/v1/swap", method: "POST", body: body)
                #expect(first.status == 200, "\(first.body)")
                let onB = try await HTTPJSON.raw(b.url + "/v1/swap", method: "POST", body: body)
                #expect(onB.status == 200 && onB.body == first.body, "\(onB.body.prefix(200))")
                let respelled = try await HTTPJSON.raw(b.url + "/v1/swap", method: "POST", body: body + "\n")
                #expect(respelled.status == 200 && respelled.body == first.body, "\(respelled.body.prefix(200))")
                // The same inputs with other outputs: spent.
                let other = String(decoding: try JSONEncoder().encode(SwapRequest(inputs: proofs, outputs: try BlindedOutputs([32, 32], keyset: keyset.id).messages)), as: UTF8.self)
                let spent = try await HTTPJSON.raw(b.url + "/v1/swap", method: "POST", body: other)
                #expect(spent.status == 400 && spent.body.contains("11001"), "\(spent.body.prefix(200))")
                #expect(a.stop() == 0)
                let restarted = try await a.restarted()
                defer { restarted.stop() }
                let afterRestart = try await HTTPJSON.raw(restarted.url + "/v1/swap", method: "POST", body: body)
                #expect(afterRestart.status == 200 && afterRestart.body == first.body)
                #expect(try await wallet.states(proofs) == [.spent, .spent])
            }
        }
    }
}

/// Three `cashew-mint` processes on one PostgreSQL through one PgBouncer in transaction pooling mode (Debian's 1.18,
/// which keeps no named prepared statement across transactions).
@Suite("Three mint processes through PgBouncer", .enabled(if: PostgresTestServer.pgbouncerPort != nil), .serialized)
struct PgBouncerTests {
    /// Three processes with one seed on `database` reached through PgBouncer, stopped and removed afterwards.
    static func withThree<T>(_ body: ([CashewMintProcess], String) async throws -> T) async throws -> T {
        try await PostgresTestServer.withDatabase { direct in
            let url = try #require(PostgresTestServer.viaPgBouncer(direct))
            let first = try await CashewMintProcess(database: url)
            var mints = [first]
            defer { for m in mints { m.stop(); m.removeData() } }
            for _ in 0..<2 { mints.append(try await first.peer()) }
            return try await body(mints, url)
        }
    }

    @Test("50 clients race to spend the same proofs through three processes: exactly one swap wins, and the audit adds up")
    func race() async throws {
        try await Self.withThree { mints, database in
            let wallet = HTTPWallet(url: mints[0].url)
            let keyset = try await wallet.keyset()
            for round in 0..<3 {
                let proofs = try await HTTPWallet(url: mints[round].url).mint(64, split: [32, 32])
                let outcomes = await withTaskGroup(of: Int.self) { group in
                    for i in 0..<50 {
                        let url = mints[i % 3].url
                        group.addTask {
                            guard let outputs = try? BlindedOutputs([32, 16, 16], keyset: keyset.id) else { return -1 }
                            switch try? await HTTPJSON.post(SwapResponse.self, url + "/v1/swap", SwapRequest(inputs: proofs, outputs: outputs.messages)) {
                            case .ok?: return 0
                            case let .error(e, _)?: return e.code.rawValue
                            case nil: return -1
                            }
                        }
                    }
                    return await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 == 0 }.count == 1, "round \(round): \(outcomes)")
                #expect(outcomes.allSatisfy { $0 == 0 || $0 == 11001 || $0 == 11002 }, "round \(round): \(outcomes)")
            }
            let audit = try await Interop.run(CashewMintProcess.executable, ["audit", "--json", "--no-backend", "--data-dir", mints[0].dataDir, "--database", database])
            #expect(audit.status == 0, "\(audit.stdout) \(audit.stderr)")
            let sat = try #require(try JSONDecoder().decode(AuditJSON.self, from: Data(audit.stdout.utf8)).units.first)
            #expect(sat.issued == 3 * 128 && sat.redeemed == 3 * 64 && sat.outstanding == 3 * 64)
        }
    }

    @Test("nutshell's wallet against the three processes behind a round-robin proxy: mint, send, receive, double receive, pay, restore")
    func nutshellWallet() async throws {
        try await Self.withThree { mints, database in
            let proxy = try RoundRobinProxy(targets: mints.map(\.port))
            defer { proxy.stop() }
            let env = { (dir: String) in ["CASHU_DIR": dir, "MINT_URL": proxy.url, "HOME": dir, "DEBUG": "FALSE"] }
            let dirs = (0..<3).map { _ in FileManager.default.temporaryDirectory.appendingPathComponent("nutshell-\(UUID().uuidString)").path }
            defer { for d in dirs { try? FileManager.default.removeItem(atPath: d) } }
            for d in dirs { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
            func run(_ who: Int, _ args: [String]) async throws -> Interop.Output {
                try await Interop.run(Interop.venv! + "/bin/cashu", ["-y"] + args, environment: env(dirs[who]), currentDirectory: dirs[who])
            }
            let minted = try await run(0, ["invoice", "1000"])
            #expect(minted.status == 0, "\(minted.stdout)\(minted.stderr)")
            #expect(NutshellWallet.balance(try await run(0, ["balance"])) == 1000)
            let sent = try await run(0, ["send", "100"])
            let token = try #require(sent.stdout.range(of: "cashuB[A-Za-z0-9_-]+", options: .regularExpression).map { String(sent.stdout[$0]) })
            #expect(try await run(1, ["receive", token]).status == 0)
            #expect(NutshellWallet.balance(try await run(1, ["balance"])) == 100)
            let again = try await run(2, ["receive", token])
            #expect((again.stdout + again.stderr).contains("11001"), "\(again.stdout)\(again.stderr)")
            let paid = try await run(0, ["pay", try foreignInvoice(sat: 200)])
            #expect(paid.status == 0 && (paid.stdout + paid.stderr).contains("Invoice paid"), "\(paid.stdout)\(paid.stderr)")
            #expect(NutshellWallet.balance(try await run(0, ["balance"])) == 1000 - 100 - 200 - 1)
            // Requests really went to all three processes.
            #expect(proxy.counts.allSatisfy { $0 > 0 }, "\(proxy.counts)")
            let audit = try await Interop.run(CashewMintProcess.executable, ["audit", "--json", "--no-backend", "--data-dir", mints[0].dataDir, "--database", database])
            #expect(audit.status == 0, "\(audit.stdout) \(audit.stderr)")
            let sat = try #require(try JSONDecoder().decode(AuditJSON.self, from: Data(audit.stdout.utf8)).units.first)
            #expect(sat.outstanding == 699 + 100)
        }
    }
}
