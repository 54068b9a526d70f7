import CashewEncoding
import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

/// Proof of liabilities end to end (Specs/audit.md, "Proof of liabilities"; Specs/wallet.md): a running
/// `cashew-mint`, epochs closed by `cashew-mint liabilities close`, and `Wallet.auditMint` / `cashew audit-mint`
/// checking them. The mint is then made to lie, by SQL on its ledger before an epoch closes: a blinded message it
/// signed is left out of the issued tree, and a proof a wallet holds is put in the spent tree.
@Suite("Proof of liabilities", .serialized)
struct LiabilityTests {
    static func close(_ mint: CashewMintProcess) async throws -> [String: Any] {
        var args = ["liabilities", "close", "--json", "--data-dir", mint.dataDir]
        if let database = mint.database { args += ["--database", database] }
        let out = try await Interop.run(CashewMintProcess.executable, args)
        #expect(out.status == 0, "\(out.stderr)")
        return (try? JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    /// The blinded message of a proof the wallet made (`B_ = Y + r·G`).
    static func blinded(_ p: StoredProof) throws -> String { try BDHKE.blind(secret: p.proof.secret, r: try #require(p.proof.dleq?.r)).hex }

    @Test("SQLite: clean epochs check out for every holder; a hidden issuance and a fake spend are evidence", .timeLimit(.minutes(10)))
    func sqlite() async throws { try await run(database: nil) }

    @Test("PostgreSQL: the same", .enabled(if: PostgresTestServer.available), .timeLimit(.minutes(10)))
    func postgres() async throws {
        try await PostgresTestServer.withDatabase { url in try await run(database: url) }
    }

    func run(database: String?) async throws {
        let mint = try await CashewMintProcess(database: database, environment: ["CASHEW_EPOCH_INTERVAL": "1", "CASHEW_LIABILITIES_INTERVAL": "0"])
        defer {
            mint.stop()
            mint.removeData()
        }
        let url = mint.url
        let ledger = database ?? mint.dataDir + "/mint.sqlite3"
        func sql(_ statement: String) async throws -> String { try await AuditCorruptionTests.sql(statement, on: ledger, postgres: database != nil) }

        try await WalletLockTests.withWallets(funded: 300, at: url) { alice, bob, carol in
            // No epoch yet: 404 in the NUT error format, and the wallet says so.
            let keyset = try #require(try await alice.client(url).keysets().keysets.first { $0.active }).id.hex
            let none = try await HTTPJSON.raw(url + "/v1/pol/\(keyset)/manifest")
            #expect(none.status == 404 && none.body.contains("\"code\""), "\(none)")
            await #expect(throws: WalletError.self) { try await alice.auditMint(mintURL: url) }

            #expect(try await bob.receive(try await alice.send(amount: 40, mintURL: url)) == 40)
            #expect(try await alice.checkPending(mintURL: url) > 0)
            try await Task.sleep(for: .seconds(3))
            let first = try await Self.close(mint)
            #expect(first["epoch"] as? Int == 1, "\(first)")

            // Every holder's proofs check out: blinded messages issued, spent proofs spent, unspent ones not.
            for wallet in [alice, bob] {
                let report = try await wallet.auditMint(mintURL: url, grace: 2)
                #expect(report.isClean, "\(report.findings)")
                #expect(report.epoch == 1 && report.epochsChecked == 1)
                #expect(report.issuedChecked > 0 && report.unspentChecked > 0, "\(report)")
                #expect(report.outstanding["sat"] == 300, "\(report.outstanding)")
            }
            let aliceReport = try await alice.auditMint(mintURL: url, grace: 2)
            #expect(aliceReport.spentChecked > 0, "\(aliceReport)")

            // The API: a manifest that holds up on its own, errors for what does not exist or does not parse.
            let info = try await alice.client(url).info()
            let manifest = try HTTPJSON.value(await HTTPJSON.get(LiabilityManifest.self, url + "/v1/pol/\(keyset)/manifest?epoch_index=1"))
            #expect(manifest.problems(mintKey: try #require(info.pubkey)).isEmpty)
            #expect(manifest.otsReceipt == nil && manifest.previousGlobalDigest == String(repeating: "0", count: 64))
            for (path, status) in [
                ("/v1/pol/\(keyset)/manifest?epoch_index=9", 404), ("/v1/pol/00ffffffffffffff/manifest", 404), ("/v1/pol/\(keyset)/manifest?epoch_index=x", 400),
            ] {
                let r = try await HTTPJSON.raw(url + path)
                #expect(r.status == status && r.body.contains("\"code\""), "\(path): \(r)")
            }
            for (path, body, status) in [
                ("/v1/pol/\(keyset)/proofs/minted", #"{"ys":[]}"#, 404), ("/v1/pol/\(keyset)/proofs/issued", #"{"ys":[]}"#, 400),
                ("/v1/pol/\(keyset)/proofs/spent", "{", 400), ("/v1/pol/\(keyset)/proofs/spent", #"{"ys":["zz"]}"#, 200),
            ] {
                let r = try await HTTPJSON.raw(url + path, method: "POST", body: body)
                #expect(r.status == status, "\(path) \(body): \(r)")
            }

            // Epoch 2 appends to epoch 1's trees and chains to it.
            #expect(try await carol.receive(try await bob.send(amount: 10, mintURL: url)) == 10)
            try await Task.sleep(for: .seconds(3))
            _ = try await Self.close(mint)
            let second = try await carol.auditMint(mintURL: url, grace: 2)
            #expect(second.isClean && second.epoch == 2 && second.epochsChecked == 2, "\(second.findings)")
            let m2 = try HTTPJSON.value(await HTTPJSON.get(LiabilityManifest.self, url + "/v1/pol/\(keyset)/manifest"))
            #expect(m2.previousGlobalDigest == manifest.globalDigest && m2.issuedMMRSize > manifest.issuedMMRSize)

            // The mint lies in epoch 3: one of Alice's new blinded messages is left out, and one of her unspent proofs
            // from before is put among the spent ones (on an operation of the new traffic).
            let before = Set(try await alice.store.proofs(mintURL: url).map(\.y))
            #expect(try await alice.receive(try await bob.send(amount: 7, mintURL: url)) == 7)
            let fresh = try await alice.store.proofs(mintURL: url).filter { !before.contains($0.y) }
            let hidden = try #require(fresh.first)
            let hiddenB = try Self.blinded(hidden)
            let victim = try #require(try await alice.store.proofs(mintURL: url).first { before.contains($0.y) })
            try await Task.sleep(for: .seconds(3))
            let op = try await sql("SELECT operation_id FROM blind_signatures WHERE b = '\(hiddenB)'")
            #expect(!op.isEmpty)
            _ = try await sql("DELETE FROM blind_signatures WHERE b = '\(hiddenB)'")
            _ = try await sql(
                "INSERT INTO proofs (y, amount, keyset_id, secret, c, state, operation_id, created_at) VALUES ('\(victim.y)', \(victim.proof.amount.rawValue), '\(victim.proof.id.hex)', '\(victim.proof.secret)', '\(victim.proof.signature.hex)', 'spent', '\(op)', 0)")
            try await Task.sleep(for: .seconds(3))
            _ = try await Self.close(mint)
            let lied = try await alice.auditMint(mintURL: url, grace: 2)
            #expect(!lied.isClean && lied.epoch == 3)
            let evidence = lied.findings.filter { $0.severity == .evidence }
            #expect(evidence.contains { $0.check == "issued" && $0.item == hiddenB && $0.amount == hidden.proof.amount.rawValue }, "\(lied.findings)")
            #expect(evidence.contains { $0.check == "unspent" && $0.item == victim.y }, "\(lied.findings)")
            #expect(evidence.count == 2, "\(lied.findings)")
            // Bob's and Carol's proofs are untouched: nothing speaks against the mint from where they stand.
            for wallet in [bob, carol] {
                let report = try await wallet.auditMint(mintURL: url, grace: 2)
                #expect(report.isClean, "\(report.findings)")
            }
        }
    }

    @Test("cashew audit-mint: exit 0 and JSON on a clean epoch; 2 after the mint rewrote an epoch this wallet had seen", .timeLimit(.minutes(10)))
    func cli() async throws {
        let mint = try await CashewMintProcess(environment: ["CASHEW_EPOCH_INTERVAL": "1", "CASHEW_LIABILITIES_INTERVAL": "0"])
        defer {
            mint.stop()
            mint.removeData()
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-pol-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func cashew(_ args: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
            let out = try await Interop.run(WalletCLITests.executable, ["--dir", dir] + args)
            return (out.status, out.stdout, out.stderr)
        }
        #expect(try await cashew(["mints", "add", mint.url]).status == 0)
        let minted = try await cashew(["mint", "64"])
        #expect(minted.status == 0, "\(minted.stderr)")
        let noEpoch = try await cashew(["audit-mint"])
        #expect(noEpoch.status == 1 && noEpoch.stderr.contains("publishes no proof of liabilities"), "\(noEpoch)")
        try await Task.sleep(for: .seconds(3))
        _ = try await Self.close(mint)
        let clean = try await cashew(["audit-mint", "--json", "--grace", "2"])
        #expect(clean.status == 0, "\(clean)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(clean.stdout.utf8)) as? [String: Any])
        #expect(report["clean"] as? Bool == true && report["epoch"] as? Int == 1 && (report["issued_checked"] as? Int ?? 0) > 0, "\(report)")
        let text = try await cashew(["audit-mint", "--grace", "2"])
        #expect(text.status == 0 && text.stdout.contains("Nothing speaks against the mint"), "\(text)")

        // The ledger's auditor rebuilds the published trees from the ledger: all of them, then (incremental) only
        // the new epoch's, continuing from the peaks recorded with the epoch it checked before.
        let state = mint.dataDir + "/auditor-state.json"
        let full = try await AuditHistoryTests.audit(["--data-dir", mint.dataDir, "--state", state])
        #expect(full.status == 0 && AuditHistoryTests.checked(full.report, "liabilities") >= 1, "\(full.report["findings"] ?? "") \(full.stderr)")
        #expect(try await cashew(["mint", "32"]).status == 0)
        try await Task.sleep(for: .seconds(3))
        _ = try await Self.close(mint)
        let incremental = try await AuditHistoryTests.audit(["--data-dir", mint.dataDir, "--state", state])
        #expect(incremental.status == 0 && incremental.report["checked_through_epoch"] != nil, "\(incremental.report["findings"] ?? "") \(incremental.stderr)")
        #expect(try await cashew(["audit-mint", "--grace", "2"]).status == 0)

        // The operator rewrites epoch 1 (a spent sum): its signature fails, and its digest is not the one the wallet saw.
        _ = try await AuditCorruptionTests.sql("UPDATE liability_keysets SET spent_sum = spent_sum + 1 WHERE epoch = 1", on: mint.dataDir + "/mint.sqlite3", postgres: false)
        let rewritten = try await cashew(["audit-mint", "--json", "--grace", "2"])
        #expect(rewritten.status == 2, "\(rewritten)")
        let findings = (try? JSONSerialization.jsonObject(with: Data(rewritten.stdout.utf8)) as? [String: Any])?["findings"] as? [[String: Any]] ?? []
        #expect(findings.contains { $0["check"] as? String == "history" }, "\(findings)")
        #expect(findings.contains { $0["check"] as? String == "manifest" }, "\(findings)")
        let caught = try await AuditHistoryTests.audit(["--data-dir", mint.dataDir, "--state", state])
        #expect(caught.status == 2, "\(caught.stderr)")
        let ledgerFindings = (caught.report["findings"] as? [[String: Any]]) ?? []
        #expect(ledgerFindings.contains { $0["check"] as? String == "liabilities" && ($0["key"] as? String ?? "").hasPrefix("1/") }, "\(ledgerFindings)")
    }
}
