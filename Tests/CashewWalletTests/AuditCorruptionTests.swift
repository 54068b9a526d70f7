import CashewEncoding
import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

/// The auditor's acceptance test (issue 13): a ledger made by real traffic (mint with a NUT-20 quote, swaps, P2PK,
/// SIG_ALL and HTLC locks, a melt with change, a keyset rotation) audits clean, with and without the seed; then
/// each corruption, applied by SQL to a fresh copy, is reported by the check and on the row it should be.
@Suite("Audit: corruption suite", .serialized)
struct AuditCorruptionTests {
    /// One corruption: `target` (SQL) picks the row's key, `sql` damages it (`$KEY` is the key), and the auditor
    /// must report `check` on `table`/key, and nothing outside `allowed`.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let target: String
        let sql: String
        let check: String
        let table: String
        /// How the expected finding's key follows from the target key (the key itself by default).
        var key: @Sendable (String) -> String = { $0 }
        var allowed: Set<String> = []
        /// The corruption changes rows a closed epoch committed to, so the epoch check reports it too.
        var committed = true

        var testDescription: String { name }
    }

    static let spentSwapInput = "SELECT p.y FROM proofs p JOIN operations o ON o.id = p.operation_id WHERE o.kind = 'swap' AND p.secret NOT LIKE '[%' ORDER BY p.y LIMIT 1"
    static let mintOutput = "SELECT s.b FROM blind_signatures s JOIN operations o ON o.id = s.operation_id WHERE o.kind = 'mint' ORDER BY s.b LIMIT 1"
    static let swapOp = "SELECT o.id FROM operations o WHERE o.kind = 'swap' AND EXISTS (SELECT 1 FROM blind_signatures s WHERE s.operation_id = o.id) ORDER BY o.id LIMIT 1"

    static let cases: [Case] = [
        Case(name: "signature amount doubled", target: mintOutput, sql: "UPDATE blind_signatures SET amount = amount * 2 WHERE b = '$KEY'",
             check: "issued_signatures", table: "blind_signatures", allowed: ["conservation", "emergency", "running_totals"]),
        Case(name: "signature C replaced", target: mintOutput,
             sql: "UPDATE blind_signatures SET c = (SELECT c FROM blind_signatures WHERE b <> '$KEY' ORDER BY b LIMIT 1) WHERE b = '$KEY'",
             check: "issued_signatures", table: "blind_signatures"),
        Case(name: "spent proof amount doubled", target: spentSwapInput, sql: "UPDATE proofs SET amount = amount * 2 WHERE y = '$KEY'",
             check: "redeemed_proofs", table: "proofs", allowed: ["conservation", "emergency", "running_totals"]),
        Case(name: "proof secret edited", target: spentSwapInput, sql: "UPDATE proofs SET secret = secret || 'x' WHERE y = '$KEY'",
             check: "redeemed_proofs", table: "proofs"),
        Case(name: "proof C forged", target: spentSwapInput,
             sql: "UPDATE proofs SET c = '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798' WHERE y = '$KEY'",
             check: "redeemed_proofs", table: "proofs"),
        Case(name: "spend duplicated under an upper-case Y", target: spentSwapInput,
             sql: "INSERT INTO proofs (y, amount, keyset_id, secret, c, witness, state, operation_id, melt_quote_id, created_at, position) SELECT upper(y), amount, keyset_id, secret, c, witness, state, operation_id, melt_quote_id, created_at, position FROM proofs WHERE y = '$KEY'",
             check: "redeemed_proofs", table: "proofs", key: { $0.uppercased() }, allowed: ["conservation", "emergency", "running_totals"]),
        Case(name: "mint output deleted", target: "SELECT operation_id FROM blind_signatures WHERE b = (\(mintOutput))",
             sql: "DELETE FROM blind_signatures WHERE b = (\(mintOutput))", check: "conservation", table: "operations", allowed: ["emergency", "running_totals"]),
        Case(name: "swap operation deleted", target: swapOp, sql: "DELETE FROM operations WHERE id = '$KEY'",
             check: "operation_rows", table: "blind_signatures", allowed: ["running_totals"]),
        Case(name: "swap fee raised", target: swapOp, sql: "UPDATE operations SET fee = fee + 1 WHERE id = '$KEY'",
             check: "conservation", table: "operations", allowed: ["running_totals"]),
        Case(name: "mint quote amount raised", target: "SELECT id FROM operations WHERE kind = 'mint' ORDER BY id LIMIT 1",
             sql: "UPDATE mint_quotes SET amount = amount + 1 WHERE id = (SELECT quote_id FROM operations WHERE id = '$KEY')",
             check: "conservation", table: "operations", committed: false),
        Case(name: "mint quote issued twice", target: "SELECT quote_id FROM operations WHERE kind = 'mint' ORDER BY id LIMIT 1",
             sql: "INSERT INTO operations (id, kind, quote_id, unit, fee, created_at) VALUES ('forged-mint-op', 'mint', '$KEY', 'sat', 0, 1)",
             check: "operation_rows", table: "mint_quotes", allowed: ["conservation"]),
        Case(name: "melt amount raised", target: "SELECT id FROM operations WHERE kind = 'melt' ORDER BY id LIMIT 1",
             sql: "UPDATE melt_quotes SET amount = amount + 500 WHERE id = (SELECT quote_id FROM operations WHERE id = '$KEY')",
             check: "conservation", table: "operations", committed: false),
        Case(name: "keyset fee changed after the fact", target: "SELECT id FROM keysets WHERE active = \(falseLiteral) ORDER BY id LIMIT 1",
             sql: "UPDATE keysets SET input_fee_ppk = 100 WHERE id = '$KEY'", check: "keyset_keys", table: "keysets", allowed: ["conservation"], committed: false),
        Case(name: "keyset public keys swapped", target: "SELECT id FROM keysets WHERE active = \(trueLiteral)",
             sql: "UPDATE keysets SET public_keys = (SELECT public_keys FROM keysets WHERE id <> '$KEY' ORDER BY id LIMIT 1) WHERE id = '$KEY'",
             check: "keyset_keys", table: "keysets", allowed: ["issued_signatures"], committed: false),
        Case(name: "signature back-dated after its keyset's deactivation", target: "SELECT b FROM blind_signatures WHERE keyset_id = (SELECT id FROM keysets WHERE active = \(falseLiteral) ORDER BY id LIMIT 1) ORDER BY b LIMIT 1",
             sql: "UPDATE blind_signatures SET created_at = created_at + 100000 WHERE b = '$KEY'", check: "keyset_validity", table: "blind_signatures"),
        Case(name: "P2PK witness replaced", target: "SELECT y FROM proofs WHERE secret LIKE '[\"P2PK\"%' AND witness IS NOT NULL ORDER BY y LIMIT 1",
             sql: "UPDATE proofs SET witness = '{\"signatures\":[\"\(String(repeating: "00", count: 64))\"]}' WHERE y = '$KEY'",
             check: "spending_conditions", table: "operations", key: { _ in "" }),
        Case(name: "swap input marked pending", target: spentSwapInput, sql: "UPDATE proofs SET state = 'pending' WHERE y = '$KEY'",
             check: "lag", table: "proofs", allowed: ["running_totals"]),
        Case(name: "running totals edited", target: "SELECT 'issued'", sql: "UPDATE ledger_totals SET count = count + 1 WHERE kind = 'issued'",
             check: "running_totals", table: "ledger_totals", key: { _ in "" }, committed: false),
        Case(name: "forged proof inserted", target: "SELECT operation_id FROM proofs WHERE y = (\(spentSwapInput))",
             sql: "INSERT INTO proofs (y, amount, keyset_id, secret, c, witness, state, operation_id, melt_quote_id, created_at) SELECT '\(forgedY)', 8, keyset_id, 'forged-secret', c, NULL, 'spent', operation_id, NULL, created_at FROM proofs WHERE y = (\(spentSwapInput))",
             check: "redeemed_proofs", table: "proofs", key: { _ in forgedY }, allowed: ["conservation", "emergency", "running_totals"]),
        // The backend (the fake node's records, which the auditor reads as the mint's settings name them).
        Case(name: "mint quote no payment settled", target: "SELECT quote_id FROM operations WHERE kind = 'mint' ORDER BY id LIMIT 1",
             sql: "UPDATE mint_quotes SET payment_hash = '\(String(repeating: "cd", count: 32))' WHERE id = '$KEY'",
             check: "reconciliation", table: "mint_quotes", committed: false),
        Case(name: "backend payment nothing justifies", target: "SELECT quote_id FROM operations WHERE kind = 'melt' ORDER BY id LIMIT 1",
             sql: "UPDATE melt_quotes SET payment_hash = '\(String(repeating: "ef", count: 32))' WHERE id = '$KEY'",
             check: "reconciliation", table: "melt_quotes", committed: false),
        // The tamper-evident history: closed epochs (the mint closed several while the traffic ran, and one at its stop).
        Case(name: "operation in a closed epoch back-dated", target: swapOp, sql: "UPDATE operations SET created_at = created_at - 100 WHERE id = '$KEY'",
             check: "epochs", table: "operations"),
        Case(name: "operation of a closed epoch deleted with its rows", target: swapOp,
             sql: "DELETE FROM proofs WHERE operation_id = '$KEY'; DELETE FROM blind_signatures WHERE operation_id = '$KEY'; DELETE FROM operations WHERE id = '$KEY'",
             check: "epochs", table: "epochs", key: { _ in "" }, allowed: ["emergency"]),
        Case(name: "operation inserted into the past", target: "SELECT '00000000-backdated'",
             sql: "INSERT INTO operations (id, kind, quote_id, unit, fee, created_at) VALUES ('$KEY', 'swap', NULL, 'sat', 0, 1000)",
             check: "epochs", table: "operations", allowed: ["operation_rows"]),
        Case(name: "epoch commitment replaced", target: "SELECT max(number) FROM epochs",
             sql: "UPDATE epochs SET commitment = '\(String(repeating: "ab", count: 32))' WHERE number = $KEY", check: "epochs", table: "epochs"),
        Case(name: "epoch deleted from the chain", target: "SELECT min(number) + 1 FROM epochs",
             sql: "DELETE FROM epochs WHERE number = $KEY - 1", check: "epochs", table: "epochs"),
        Case(name: "operation moved to another epoch", target: "SELECT id FROM operations WHERE epoch = (SELECT min(number) FROM epochs) ORDER BY id LIMIT 1",
             sql: "UPDATE operations SET epoch = epoch + 1 WHERE id = '$KEY'", check: "epochs", table: "epochs", key: { _ in "" }),
        // The published proof of liabilities (the suite closes liabilities epoch 2 after the traffic).
        Case(name: "liabilities: issued sum lowered", target: liabilityKeyset,
             sql: "UPDATE liability_keysets SET issued_sum = issued_sum - 1 WHERE epoch = 2 AND keyset_id = '$KEY'",
             check: "liabilities", table: "liability_keysets", key: { "2/" + $0 }, committed: false),
        Case(name: "liabilities: keyset left out", target: liabilityKeyset,
             sql: "DELETE FROM liability_keysets WHERE epoch = 2 AND keyset_id = '$KEY'",
             check: "liabilities", table: "liability_keysets", key: { "2/" + $0 }, committed: false),
        // A keyset may miss the epoch that closed while it was being made, but not when it already has rows there.
        Case(name: "liabilities: keyset with rows left out, dated at the close", target: liabilityKeyset,
             sql: "UPDATE keysets SET valid_from = (SELECT closed_at FROM liability_epochs WHERE epoch = 2) WHERE id = '$KEY'; DELETE FROM liability_keysets WHERE epoch = 2 AND keyset_id = '$KEY'",
             check: "liabilities", table: "liability_keysets", key: { "2/" + $0 }, allowed: ["keyset_validity"], committed: false),
        Case(name: "liabilities: chain broken", target: "SELECT max(epoch) FROM liability_epochs",
             sql: "UPDATE liability_epochs SET previous = '\(String(repeating: "cd", count: 32))' WHERE epoch = $KEY",
             check: "liabilities", table: "liability_epochs", committed: false),
    ]

    static let liabilityKeyset = "SELECT keyset_id FROM liability_keysets WHERE epoch = 2 AND issued_size > 0 ORDER BY keyset_id LIMIT 1"

    static let falseLiteral = "$FALSE", trueLiteral = "$TRUE"
    static let forgedY: String = (try? HashToCurve.point(forSecret: "forged-secret").hex) ?? ""

    /// The clean ledger: made once per database kind.
    final class Ledger: @unchecked Sendable {
        let dataDir: String
        /// SQLite: the ledger file; PostgreSQL: the database URL.
        let database: String
        let postgres: Bool

        init(dataDir: String, database: String, postgres: Bool) {
            self.dataDir = dataDir
            self.database = database
            self.postgres = postgres
        }
    }

    /// Real traffic on a `cashew-mint` process.
    static func traffic(_ mint: CashewMintProcess) async throws {
        let url = mint.url
        try await WalletLockTests.withWallets(funded: 1000, at: url) { alice, bob, carol in
            let bobKey = try bob.lockingPublicKey()
            #expect(try await bob.receive(try await alice.send(amount: 50, mintURL: url)) == 50)
            #expect(try await bob.receive(try await alice.send(amount: 30, mintURL: url, lock: SpendingLock(keys: [bobKey]))) == 30)
            #expect(try await bob.receive(try await alice.send(amount: 40, mintURL: url, lock: SpendingLock(keys: [bobKey], signatureFlag: .sigAll))) == 40)
            let (preimage, hash) = SpendingLock.newPreimage()
            #expect(try await carol.receive(try await alice.send(amount: 16, mintURL: url, lock: SpendingLock(kind: .htlc(hash: hash), keys: [])), preimages: [preimage]) == 16)
            let quote = try await alice.meltQuote(invoice: try WalletMeltRestoreTests.invoice(sat: 100), mintURL: url)
            #expect(try await alice.melt(quote, mintURL: url).state == .paid)
            // Rotate while the mint runs; it picks the new keyset up within its maintenance interval.
            let rotate = try await Interop.run(CashewMintProcess.executable, ["keysets", "rotate", "--data-dir", mint.dataDir] + (mint.database.map { ["--database", $0] } ?? []))
            #expect(rotate.status == 0, "\(rotate.stderr)")
            try await Task.sleep(for: .seconds(7))
            #expect(try await carol.receive(try await bob.send(amount: 25, mintURL: url)) == 25)
            #expect(try await bob.receive(try await alice.send(amount: 60, mintURL: url)) == 60)
            // nutshell's wallet in the same ledger: it mints, sends to ours, receives from ours, and melts with change.
            guard Interop.available else {
                Issue.record("nutshell's venv is missing: its part of the traffic did not run")
                return
            }
            let minted = try await NutshellWallet.run(mint, "dave", ["invoice", "300"])
            #expect(minted.status == 0, "\(minted.stdout)\(minted.stderr)")
            let sent = try await NutshellWallet.run(mint, "dave", ["send", "40"])
            let token = try #require(sent.stdout.range(of: "cashuB[A-Za-z0-9_-]+", options: .regularExpression).map { String(sent.stdout[$0]) })
            #expect(try await carol.receive(try Token(decoding: token)) == 40)
            let received = try await NutshellWallet.run(mint, "dave", ["receive", try await alice.send(amount: 30, mintURL: url).serialized()])
            #expect(received.status == 0, "\(received.stdout)\(received.stderr)")
            let paid = try await NutshellWallet.run(mint, "dave", ["pay", try WalletMeltRestoreTests.invoice(sat: 70)])
            #expect(paid.status == 0, "\(paid.stdout)\(paid.stderr)")
            #expect(NutshellWallet.balance(try await NutshellWallet.run(mint, "dave", ["balance"])) == 300 - 40 + 30 - 70 - 1)
        }
    }

    /// A full audit with a state file of its own (an earlier run's progress would skip the corrupted epochs).
    static func audit(_ dataDir: String, _ database: String, extra: [String] = []) async throws -> (status: Int32, report: [String: Any], stderr: String) {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("audit-state-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let out = try await Interop.run(
            CashewMintProcess.executable, ["audit", "--json", "--full", "--state", state, "--data-dir", dataDir, "--database", database] + extra)
        let report = (try? JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]) ?? [:]
        return (out.status, report, out.stderr)
    }

    static func findings(_ report: [String: Any]) -> [[String: Any]] { (report["findings"] as? [[String: Any]]) ?? [] }

    /// Runs `sql` on a copy of the ledger (returning its output for a query).
    static func sql(_ statement: String, on database: String, postgres: Bool) async throws -> String {
        let statement = statement.replacingOccurrences(of: "$FALSE", with: postgres ? "false" : "0").replacingOccurrences(of: "$TRUE", with: postgres ? "true" : "1")
        if postgres {
            let out = try await Interop.run("/usr/bin/psql", [database, "-v", "ON_ERROR_STOP=1", "-At", "-c", statement])
            guard out.status == 0 else { throw Interop.Failure(description: "psql: \(out.stderr)") }
            return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let code = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            if ";" in sys.argv[2]:
                db.executescript(sys.argv[2]); rows = []
            else:
                rows = db.execute(sys.argv[2]).fetchall()
            db.commit()
            print("\\n".join("|".join(str(c) for c in r) for r in rows))
            """
        let out = try await Interop.run("/usr/bin/python3", ["-c", code, database, statement])
        guard out.status == 0 else { throw Interop.Failure(description: "sqlite: \(out.stderr)") }
        return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func runSuite(postgres: Bool, _ url: String?) async throws {
        let mint = try await CashewMintProcess(database: url, environment: ["CASHEW_EPOCH_INTERVAL": "2"])
        defer { mint.removeData() }
        try await Self.traffic(mint)
        #expect(mint.stop() == 0)
        let clean = url ?? mint.dataDir + "/mint.sqlite3"
        // Liabilities epoch 1 closed when the mint started (empty trees); epoch 2 covers the traffic.
        let closed = try await Interop.run(CashewMintProcess.executable, ["liabilities", "close", "--data-dir", mint.dataDir, "--database", clean])
        #expect(closed.status == 0 && closed.stdout.contains("liabilities epoch 2 closed"), "\(closed)")
        // Clean: no findings, with the seed and without it.
        let seeded = try await Self.audit(mint.dataDir, clean)
        #expect(seeded.status == 0, "\(Self.findings(seeded.report)) \(seeded.stderr)")
        #expect(seeded.report["mode"] as? String == "seed")
        let checks = (seeded.report["checks"] as? [[String: Any]]) ?? []
        #expect(checks.first { $0["check"] as? String == "spending_conditions" }?["checked"] as? Int ?? 0 >= 3)
        #expect(checks.first { $0["check"] as? String == "issued_signatures" }?["checked"] as? Int ?? 0 > 10)
        #expect(checks.first { $0["check"] as? String == "reconciliation" }?["checked"] as? Int ?? 0 >= 3, "\(checks)")
        #expect(checks.first { $0["check"] as? String == "solvency" }?["checked"] as? Int ?? 0 == 1)
        #expect(checks.first { $0["check"] as? String == "liabilities" }?["checked"] as? Int ?? 0 >= 3, "\(checks)")
        let epochs = (seeded.report["epochs"] as? [String: Any]) ?? [:]
        #expect(epochs["count"] as? Int ?? 0 >= 2, "\(epochs)")
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-auditor-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let outsider = try await Self.audit(empty, clean)
        #expect(outsider.status == 0 && outsider.report["mode"] as? String == "public", "\(Self.findings(outsider.report)) \(outsider.stderr)")
        #expect(!FileManager.default.fileExists(atPath: empty + "/seed"), "the audit created a seed")

        try await Self.checkSolvency(mint: mint, database: clean)

        // On PostgreSQL every audit below runs as a role that can only read.
        var auditRole: (name: String, url: (String) -> String)?
        if postgres {
            let name = "auditor_" + Hex.encode(SecureRandom.bytes(4))
            _ = try await Self.sql("CREATE ROLE \(name) LOGIN PASSWORD 'audit-pw'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(name)", on: clean, postgres: true)
            auditRole = (name, { url in
                var c = URLComponents(string: url)!
                c.user = name
                c.password = "audit-pw"
                return c.string!
            })
        }
        defer { if let auditRole { _ = try? Interop.runBlocking("/usr/bin/psql", [clean, "-c", "DROP OWNED BY \(auditRole.name); DROP ROLE IF EXISTS \(auditRole.name)"]) } }
        if let auditRole {
            let readOnly = try await Self.audit(mint.dataDir, auditRole.url(clean))
            #expect(readOnly.status == 0, "as \(auditRole.name): \(Self.findings(readOnly.report)) \(readOnly.stderr)")
            let write = try await Interop.run("/usr/bin/psql", [auditRole.url(clean), "-c", "DELETE FROM epochs"])
            #expect(write.status != 0, "the auditor's role could write")
        }

        for c in Self.cases {
            let copy: String
            if postgres {
                let name = "audit_case_" + Hex.encode(SecureRandom.bytes(4))
                let base = try #require(URL(string: clean)?.lastPathComponent)
                try await PostgresTestServer.execute("CREATE DATABASE \(name) TEMPLATE \(base)", url: clean)
                copy = clean.replacingOccurrences(of: "/" + base, with: "/" + name)
            } else {
                copy = empty + "/case.sqlite"
                try? FileManager.default.removeItem(atPath: copy)
                try FileManager.default.copyItem(atPath: clean, toPath: copy)
            }
            defer {
                if postgres, let name = URL(string: copy)?.lastPathComponent {
                    _ = try? Interop.runBlocking("/usr/bin/psql", [clean, "-c", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
                }
            }
            let target = try await Self.sql(c.target, on: copy, postgres: postgres)
            try #require(!target.isEmpty, "\(c.name): no target row")
            _ = try await Self.sql(c.sql.replacingOccurrences(of: "$KEY", with: target), on: copy, postgres: postgres)
            let result = try await Self.audit(mint.dataDir, auditRole.map { $0.url(copy) } ?? copy)
            let findings = Self.findings(result.report)
            #expect(result.status == 2, "\(c.name): \(result.stderr)")
            let expectedKey = c.key(target)
            let hit = findings.contains {
                $0["check"] as? String == c.check && $0["table"] as? String == c.table && (expectedKey.isEmpty || $0["key"] as? String == expectedKey)
            }
            #expect(hit, "\(c.name): expected \(c.check) on \(c.table) \(expectedKey), got \(findings)")
            let stray = findings.filter { f in
                let check = f["check"] as? String ?? ""
                return check != c.check && !c.allowed.contains(check) && !(c.committed && (check == "epochs" || check == "liabilities"))
                    && f["severity"] as? String != "info"
            }
            #expect(stray.isEmpty, "\(c.name): unexpected findings \(stray)")
        }
    }

    /// The node lost money (its records say it spent 10,000 sat more): the backend no longer covers the e-cash.
    static func checkSolvency(mint: CashewMintProcess, database: String) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-solvency-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: mint.dataDir + "/seed", toPath: dir + "/seed")
        var state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: mint.dataDir + "/fake-lightning.json"))) as? [String: Any])
        state["spentMsat"] = ((state["spentMsat"] as? Int) ?? 0) + 10_000_000
        try JSONSerialization.data(withJSONObject: state).write(to: URL(fileURLWithPath: dir + "/fake-lightning.json"))
        let result = try await audit(dir, database, extra: ["--set", "fake_balance=0", "--set", "solvency_tolerance=0"])
        #expect(result.status == 2)
        #expect(findings(result.report).contains { $0["check"] as? String == "solvency" && $0["key"] as? String == "fake" }, "\(findings(result.report))")
    }

    @Test("SQLite: the clean ledger audits clean, and every corruption is caught on its row")
    func sqlite() async throws {
        try await runSuite(postgres: false, nil)
    }

    @Test("PostgreSQL: the same", .enabled(if: PostgresTestServer.available))
    func postgres() async throws {
        try await PostgresTestServer.withDatabase { url in try await runSuite(postgres: true, url) }
    }
}
