import CashuProtocol
import Foundation
import TestSupport
import Testing

/// nutshell's wallet CLI against `cashew-mint`: mint 1000, send 100 (cashuB), receive in a second wallet, the
/// same token again fails with 11001, pay an invoice with change; balances exact; the audit adds up.
@Suite("End to end: nutshell's wallet against cashew-mint", .enabled(if: Interop.available), .serialized)
struct NutshellWalletE2ETests {
    func balance(_ out: Interop.Output) -> Int? { NutshellWallet.balance(out) }

    func wallet(_ mint: CashewMintProcess, _ name: String, _ args: [String]) async throws -> Interop.Output { try await NutshellWallet.run(mint, name, args) }

    @Test("mint, send, receive, double receive, pay with change", arguments: Ledger.available)
    func walletFlow(_ ledger: Ledger) async throws {
        try await withLedger(ledger) { database in
            let mint = try await CashewMintProcess(database: database)
            defer {
                mint.stop()
                mint.removeData()
            }
            let minted = try await wallet(mint, "alice", ["invoice", "1000"])
            #expect(minted.status == 0, "\(minted.stdout)\(minted.stderr)\n\(mint.logs)")
            #expect(balance(try await wallet(mint, "alice", ["balance"])) == 1000)
            // nutshell's wallet waited for the invoice through NUT-17, which the mint advertises.
            #expect(mint.logs.contains("websocket subscription") && mint.logs.contains("kind=bolt11_mint_quote"), "\(mint.logs.suffix(2000))")

            let sent = try await wallet(mint, "alice", ["send", "100"])
            let token = try #require(sent.stdout.range(of: "cashuB[A-Za-z0-9_-]+", options: .regularExpression).map { String(sent.stdout[$0]) })
            #expect(try Token(decoding: token).amount == 100)
            let received = try await wallet(mint, "bob", ["receive", token])
            #expect(received.status == 0, "\(received.stdout)\(received.stderr)")
            #expect(balance(try await wallet(mint, "bob", ["balance"])) == 100)
            let again = try await wallet(mint, "carol", ["receive", token])
            #expect((again.stdout + again.stderr).contains("11001"), "\(again.stdout)\(again.stderr)")
            #expect(balance(try await wallet(mint, "carol", ["balance"])) == 0)

            // Pay 200 sat: fee reserve 4 sat (2%), the fake node charges 1 sat, the rest comes back as change.
            let paid = try await wallet(mint, "alice", ["pay", try foreignInvoice(sat: 200)])
            #expect(paid.status == 0 && (paid.stdout + paid.stderr).contains("Invoice paid"), "\(paid.stdout)\(paid.stderr)\n\(mint.logs)")
            #expect(balance(try await wallet(mint, "alice", ["balance"])) == 1000 - 100 - 200 - 1)

            // The ledger adds up: 1000 minted + change issued, 200 + 1 + change melted, 100 received.
            let audit = try await Interop.run(
                CashewMintProcess.executable,
                ["audit", "--json", "--data-dir", mint.dataDir] + (database.map { ["--database", $0] } ?? []))
            #expect(audit.status == 0, "\(audit.stderr)")
            let report = try JSONDecoder().decode(AuditJSON.self, from: Data(audit.stdout.utf8))
            let sat = try #require(report.units.first { $0.unit == "sat" })
            #expect(sat.outstanding == 699 + 100)
            #expect(sat.pending == 0)
            #expect(report.findings.isEmpty, "\(audit.stdout)")
            #expect((report.check("redeemed_proofs")?.checked ?? 0) > 0 && (report.check("issued_signatures")?.checked ?? 0) > 0)
        }
    }

    @Test("nutshell's wallet locks tokens to another nutshell wallet's key (P2PK, P2BK, SIG_ALL) at cashew-mint: only that wallet receives them")
    func lockedTokens() async throws {
        let mint = try await CashewMintProcess()
        defer {
            mint.stop()
            mint.removeData()
        }
        let minted = try await wallet(mint, "alice", ["invoice", "200"])
        #expect(minted.status == 0, "\(minted.stdout)\(minted.stderr)\n\(mint.logs)")
        let locks = try await wallet(mint, "bob", ["locks"])
        let line = try #require(locks.stdout.split(separator: "\n").first { $0.contains("P2PK:") })
        let bobKey = String(try #require(line.split(separator: ":").last)).trimmingCharacters(in: .whitespaces)
        var bobBalance = 0
        for (form, amount) in [("P2PK", 16), ("P2BK", 8), ("P2PK-SIGALL", 12)] {
            let sent = try await wallet(mint, "alice", ["send", String(amount), "--lock", "\(form):\(bobKey)"])
            let token = try #require(sent.stdout.range(of: "cashuB[A-Za-z0-9_-]+", options: .regularExpression).map { String(sent.stdout[$0]) },
                                     "\(form): \(sent.stdout)\(sent.stderr)")
            let firstProof = try #require(try Token(decoding: token).proofs.first, "\(form): \(token)")
            let secret = try WellKnownSecret(parsing: firstProof.secret)
            #expect(secret.kind == .p2pk && (secret.data == bobKey) == !form.hasPrefix("P2BK"))
            // Carol cannot unlock it: the mint refuses her swap, and she holds nothing.
            _ = try await wallet(mint, "carol", ["receive", token])
            #expect(balance(try await wallet(mint, "carol", ["balance"])) == 0, "\(form)")
            let received = try await wallet(mint, "bob", ["receive", token])
            #expect(received.status == 0, "\(form): \(received.stdout)\(received.stderr)\n\(mint.logs)")
            bobBalance += amount
            #expect(balance(try await wallet(mint, "bob", ["balance"])) == bobBalance, "\(form)")
        }
    }
}

/// The parts of `cashew-mint audit --json` these tests read.
struct AuditJSON: Decodable {
    struct Unit: Decodable {
        let unit: String
        let issued: UInt64
        let redeemed: UInt64
        let pending: UInt64
        let outstanding: UInt64
        let fees: UInt64
    }
    struct Check: Decodable {
        let check: String
        let checked: UInt64
        let findings: UInt64
        let unverifiable: UInt64
    }
    struct Finding: Decodable {
        let check: String
        let severity: String
        let table: String
        let key: String
        let detail: String
    }
    let units: [Unit]
    let checks: [Check]
    let findings: [Finding]

    func check(_ name: String) -> Check? { checks.first { $0.check == name } }
}
