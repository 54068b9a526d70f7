import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

/// Taking over a real nutshell 0.21 mint: nutshell's wallet mints and spends at nutshell's mint, the mint is stopped
/// and imported, and `cashew-mint` takes its place on the same address. The same wallet goes on: same keysets and
/// keys, e-cash nutshell issued spends, what nutshell recorded as spent is refused (11001), NUT-09 restores old
/// signatures, and the audit adds up across the move.
@Suite("Taking over a nutshell mint", .enabled(if: Interop.available || Interop.required), .serialized)
struct NutshellImportTests {
    static var ledgers: [String] { PostgresTestServer.available ? ["sqlite", "postgres"] : ["sqlite"] }

    /// Runs `code` with the nutshell venv's Python against nutshell's database (`sqlite3` or `asyncpg`); prints JSON.
    static func query(_ database: String, _ sql: String) async throws -> [[String: String]] {
        let script = """
            import asyncio, json, sqlite3, sys
            db, sql = sys.argv[1], sys.argv[2]
            if db.startswith("postgres"):
                import asyncpg
                async def run():
                    c = await asyncpg.connect(db)
                    rows = await c.fetch(sql)
                    await c.close()
                    return [{k: (None if v is None else str(v)) for k, v in dict(r).items()} for r in rows]
                rows = asyncio.run(run())
            else:
                c = sqlite3.connect(db + "/mint.sqlite3")
                c.row_factory = sqlite3.Row
                rows = [{k: (None if r[k] is None else str(r[k])) for k in r.keys()} for r in c.execute(sql)]
            print(json.dumps(rows))
            """
        let out = try await Interop.python(script, arguments: [database, sql])
        return (try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] ?? []).map { row in row.compactMapValues { $0 as? String } }
    }

    /// Two PostgreSQL databases (nutshell's and Cashew's), or none.
    static func withDatabases(_ postgres: Bool, _ body: (String?, String?) async throws -> Void) async throws {
        guard postgres else { return try await body(nil, nil) }
        try await PostgresTestServer.withDatabase { nutshell in
            try await PostgresTestServer.withDatabase { cashew in try await body(nutshell, cashew) }
        }
    }

    static func keys(_ url: String) async throws -> [String: [String: String]] {
        let (status, body) = try await HTTPJSON.raw(url + "/v1/keys")
        #expect(status == 200)
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        var out = [String: [String: String]]()
        for k in object?["keysets"] as? [[String: Any]] ?? [] { out[k["id"] as? String ?? ""] = k["keys"] as? [String: String] }
        return out
    }

    @Test("nutshell's wallet goes on at cashew-mint after the move", arguments: ledgers)
    func takeOver(_ ledger: String) async throws {
        try await Self.withDatabases(ledger == "postgres") { nutshellURL, cashewURL in
            var env = ["MINT_INPUT_FEE_PPK": "100"]
            if let nutshellURL { env["MINT_DATABASE"] = nutshellURL }
            let nutshell = try await NutshellMint(privateKey: "village-mint-key-2026", environment: env)
            defer { nutshell.stop() }
            let source = nutshellURL ?? nutshell.databaseDirectory
            func wallet(_ name: String, _ args: [String]) async throws -> Interop.Output { try await nutshell.wallet(name, args) }

            // At nutshell: mint 1000, keep a token of 100 unspent, spend a token of 50 (received by bob), pay 200 sat.
            #expect(try await wallet("alice", ["invoice", "1000"]).status == 0)
            func token(_ out: Interop.Output) throws -> String {
                try #require(out.stdout.range(of: "cashuB[A-Za-z0-9_-]+", options: .regularExpression).map { String(out.stdout[$0]) }, "\(out.stdout) \(out.stderr)")
            }
            let t1 = try await token(try wallet("alice", ["send", "100"]))
            let t2 = try await token(try wallet("alice", ["send", "50"]))
            #expect(try await wallet("bob", ["receive", t2]).status == 0)
            let paid = try await wallet("alice", ["pay", try foreignInvoice(sat: 200)])
            #expect(paid.status == 0, "\(paid.stdout) \(paid.stderr)")
            let aliceBefore = try #require(NutshellWallet.balance(try await wallet("alice", ["balance"])))
            let bobBefore = try #require(NutshellWallet.balance(try await wallet("bob", ["balance"])))
            let keysBefore = try await Self.keys(nutshell.url)
            let promise = try #require(try await Self.query(source, "SELECT amount, id, b_, c_ FROM promises WHERE c_ IS NOT NULL LIMIT 1").first)
            let balance = try await Self.query(source, "SELECT COALESCE(SUM(balance), 0) AS b FROM balance").first?["b"].flatMap { Int($0) }
            nutshell.halt()

            // The move.
            let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-import-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: dataDir) }
            let ledgerArgs = ["--data-dir", dataDir] + (cashewURL.map { ["--database", $0] } ?? [])
            // A wrong key is refused before it becomes this mint's seed.
            let wrong = try await Interop.run(CashewMintProcess.executable, ["import", "nutshell", "--from", source, "--private-key", "not-the-village-key"] + ledgerArgs)
            #expect(wrong.status != 0 && wrong.stderr.contains("does not derive from this private key"), "\(wrong.stdout) \(wrong.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dataDir + "/seed"))
            let imported = try await Interop.run(CashewMintProcess.executable, ["import", "nutshell", "--from", source] + ledgerArgs)
            #expect(imported.status == 0, "\(imported.stdout) \(imported.stderr)")
            #expect(imported.stdout.contains("imported from nutshell"))
            // Again: nothing is written twice.
            let again = try await Interop.run(CashewMintProcess.executable, ["import", "nutshell", "--from", source] + ledgerArgs)
            #expect(again.status == 0 && again.stdout.contains("0 keysets, 0 signatures, 0 spent") && again.stdout.contains("already present"), "\(again.stdout) \(again.stderr)")
            // The audit adds up across the move: what nutshell owed is what Cashew owes.
            let audit = try await Interop.run(CashewMintProcess.executable, ["audit", "--json"] + ledgerArgs)
            #expect(audit.status == 0, "\(audit.stdout) \(audit.stderr)")
            let report = try JSONDecoder().decode(AuditJSON.self, from: Data(audit.stdout.utf8))
            #expect(report.units.first { $0.unit == "sat" }?.outstanding == balance.map { UInt64($0) }, "\(audit.stdout) nutshell balance \(String(describing: balance))")
            // Nutshell keeps no C for melt inputs: those are counted as unverifiable, never as invalid.
            let withoutC = try await Self.query(source, "SELECT COUNT(*) AS n FROM proofs_used WHERE c = '' OR c IS NULL").first?["n"].flatMap { Int($0) } ?? -1
            #expect(report.findings.filter { $0.severity != "info" }.isEmpty, "\(audit.stdout)")
            #expect(withoutC > 0 && report.check("redeemed_proofs")?.unverifiable == UInt64(withoutC), "\(audit.stdout)")

            // Cashew on nutshell's address.
            let mint = try await CashewMintProcess(dataDir: dataDir, database: cashewURL, port: nutshell.port)
            defer { mint.stop() }
            let keysAfter = try await Self.keys(mint.url)
            #expect(keysAfter == keysBefore, "\(keysAfter.keys) vs \(keysBefore.keys)")
            #expect(!mint.logs.contains("created keyset"), "\(mint.logs)")

            #expect(NutshellWallet.balance(try await wallet("alice", ["balance"])) == aliceBefore)
            #expect(NutshellWallet.balance(try await wallet("bob", ["balance"])) == bobBefore)
            // E-cash nutshell issued spends at Cashew; what nutshell recorded as spent is refused.
            let spentBefore = try await wallet("dave", ["receive", t2])
            #expect((spentBefore.stdout + spentBefore.stderr).contains("11001"), "\(spentBefore.stdout) \(spentBefore.stderr)")
            #expect(try await wallet("carol", ["receive", t1]).status == 0)
            #expect((NutshellWallet.balance(try await wallet("carol", ["balance"])) ?? 0) >= 99)
            let t3 = try await token(try wallet("alice", ["send", "30"]))
            #expect(try await wallet("bob", ["receive", t3]).status == 0)
            let melt = try await wallet("bob", ["pay", try foreignInvoice(sat: 20)])
            #expect(melt.status == 0 && (melt.stdout + melt.stderr).contains("Invoice paid"), "\(melt.stdout) \(melt.stderr)\n\(mint.logs)")
            #expect(try await wallet("alice", ["invoice", "64"]).status == 0)

            // NUT-09: a signature nutshell issued is restored, with a DLEQ proof Cashew computed.
            let id = try KeysetID(hex: try #require(promise["id"]))
            let b = try Point(hex: try #require(promise["b_"]))
            let restored = try HTTPJSON.value(try await HTTPJSON.post(
                RestoreResponse.self, mint.url + "/v1/restore",
                RestoreRequest(outputs: [BlindedMessage(amount: Amount(UInt64(promise["amount"] ?? "") ?? 0), id: id, blindedSecret: b)])))
            let signature = try #require(restored.signatures.first)
            #expect(signature.blindSignature.hex == promise["c_"])
            let key = try Point(hex: try #require(keysAfter[id.hex]?[promise["amount"] ?? ""]))
            let dleq = try #require(signature.dleq)
            #expect(DLEQ.verify(DLEQProof(e: dleq.e, s: dleq.s), publicKey: key, blindedMessage: b, blindSignature: signature.blindSignature))

            // The wallet's seed phrase restores its balance at Cashew (NUT-09 over signatures both mints issued).
            let info = try await wallet("alice", ["info", "--mnemonic"])
            let mnemonic = try #require(info.stdout.range(of: "(?m)^ - ([a-z]+ ){11}[a-z]+$", options: .regularExpression)
                .map { String(info.stdout[$0].dropFirst(3)) }, "\(info.stdout)")
            let walletDir = nutshell.directory + "/wallets"
            let restore = try await Interop.run("/bin/bash", ["-c", "printf '%s\\n' \"$MNEMONIC\" | \"$CASHU\" -y -w alice2 restore --to 2"], environment: [
                "MNEMONIC": mnemonic, "CASHU": Interop.venv! + "/bin/cashu", "CASHU_DIR": walletDir, "MINT_URL": mint.url,
                "HOME": nutshell.directory, "DEBUG": "FALSE",
            ], currentDirectory: walletDir)
            #expect(restore.status == 0, "\(restore.stdout) \(restore.stderr)")
            let aliceNow = NutshellWallet.balance(try await wallet("alice", ["balance"]))
            let restoredBalance = NutshellWallet.balance(try await wallet("alice2", ["balance"]))
            #expect(aliceNow != nil && restoredBalance == aliceNow, "\(restore.stdout)")

            // Once the mint has been used, a second import refuses to write over it.
            mint.stop()
            let over = try await Interop.run(CashewMintProcess.executable, ["import", "nutshell", "--from", source] + ledgerArgs)
            #expect(over.status != 0 && over.stderr.contains("refusing to import over it"), "\(over.stdout) \(over.stderr)")
        }
    }
}
