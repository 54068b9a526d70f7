import CashewEncoding
import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

/// The published history and the incremental auditor against a running `cashew-mint` (Specs/audit.md, "Epochs"
/// and "Incremental runs").
@Suite("Audit: epochs and incremental runs", .serialized)
struct AuditHistoryTests {
    static func audit(_ args: [String]) async throws -> (status: Int32, report: [String: Any], stderr: String) {
        let out = try await Interop.run(CashewMintProcess.executable, ["audit", "--json"] + args)
        return (out.status, (try? JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]) ?? [:], out.stderr)
    }

    static func checked(_ report: [String: Any], _ check: String) -> Int {
        ((report["checks"] as? [[String: Any]]) ?? []).first { $0["check"] as? String == check }?["checked"] as? Int ?? -1
    }

    @Test("GET /v1/epochs: a signed chain under /v1/info's key; the auditor checks only what is new, and catches a rewritten commitment")
    func history() async throws {
        let mint = try await CashewMintProcess(environment: ["CASHEW_EPOCH_INTERVAL": "1"])
        defer { mint.removeData() }
        let url = mint.url
        let state = mint.dataDir + "/auditor/state.json"
        let ledger = mint.dataDir + "/mint.sqlite3"
        let common = ["--data-dir", mint.dataDir, "--state", state]
        try await WalletLockTests.withWallets(funded: 300, at: url) { alice, bob, _ in
            #expect(try await bob.receive(try await alice.send(amount: 40, mintURL: url)) == 40)
            try await Task.sleep(for: .seconds(2.5))

            // The published chain: each commitment hashes its manifest, is signed by /v1/info's key, and names the previous one.
            let info = try await alice.client(url).info()
            let key = try #require(info.pubkey)
            let published = try HTTPJSON.value(await HTTPJSON.get(EpochsResponse.self, url + "/v1/epochs")).epochs
            #expect(!published.isEmpty)
            var previous = EpochManifest.genesis
            for (i, e) in published.enumerated() {
                #expect(e.epoch == UInt64(i + 1))
                #expect(e.problem(key: key) == nil)
                #expect(try e.decoded.previous == previous)
                previous = e.commitment
            }
            let from2 = try HTTPJSON.value(await HTTPJSON.get(EpochsResponse.self, url + "/v1/epochs?from=2&limit=1")).epochs
            #expect(from2.map(\.epoch) == (published.count >= 2 ? [2] : []))
            let bad = try await HTTPJSON.raw(url + "/v1/epochs?from=abc")
            #expect(bad.status == 400 && bad.body.contains("\"code\""), "\(bad)")

            // First run: everything; second: nothing new; after more traffic: only the new operations.
            let first = try await Self.audit(common)
            #expect(first.status == 0, "\(first.report["findings"] ?? "") \(first.stderr)")
            #expect(first.report["checked_through_epoch"] == nil)
            let all = Self.checked(first.report, "issued_signatures")
            #expect(all > 5)
            let second = try await Self.audit(common)
            #expect(second.status == 0 && second.report["checked_through_epoch"] as? Int ?? 0 >= 1, "\(second.report)")
            #expect(Self.checked(second.report, "issued_signatures") < all)
            #expect(try await carolReceives(alice, bob, url) == 10)
            try await Task.sleep(for: .seconds(2.5))
            let third = try await Self.audit(common)
            #expect(third.status == 0, "\(third.report["findings"] ?? "")")
            let new = Self.checked(third.report, "issued_signatures")
            #expect(new > 0 && new < all, "\(new) of \(all)")

            // An outsider: no seed, the key from /v1/info, a commitment saved from /v1/epochs.
            let outsider = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-outsider-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: outsider) }
            let firstEpoch = try #require(published.first)
            let pinned = ["--data-dir", outsider, "--database", ledger, "--mint-pubkey", key.hex, "--trust", "1:\(firstEpoch.commitment)"]
            let public_ = try await Self.audit(pinned)
            #expect(public_.status == 0 && public_.report["mode"] as? String == "public", "\(public_.report["findings"] ?? "") \(public_.stderr)")
            let wrongKey = try await Self.audit(["--data-dir", outsider, "--database", ledger, "--full", "--mint-pubkey", try Scalar.random().publicPoint.hex])
            #expect(wrongKey.status == 2)
        }
        #expect(mint.stop() == 0)

        // A rewritten commitment is caught by the saved state even on an incremental run.
        _ = try await Interop.run("/usr/bin/python3", ["-c", "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute(\"UPDATE epochs SET commitment = '\" + 'ab'*32 + \"' WHERE number = 1\"); db.commit()", ledger])
        let rewritten = try await Self.audit(common)
        #expect(rewritten.status == 2)
        let findings = (rewritten.report["findings"] as? [[String: Any]]) ?? []
        #expect(findings.contains { $0["check"] as? String == "epochs" && $0["key"] as? String == "1" }, "\(findings)")
    }

    func carolReceives(_ alice: Wallet, _ bob: Wallet, _ url: String) async throws -> Amount {
        try await bob.receive(try await alice.send(amount: 10, mintURL: url))
    }
}
