import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import TestSupport
import Testing

/// NUT-15 end to end: `cashew pay --mpp` pays one invoice from two cashew-mints (one on SQLite, one of two processes
/// on PostgreSQL)
/// whose fake nodes share a network with the payee's node, which settles the invoice only when every part arrived.
@Suite("cashew pay --mpp over two mints on one fake network")
struct WalletMultiPathTests {
    static func json(_ out: Interop.Output) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any], "\(out.stdout)\n\(out.stderr)")
    }

    static func invoice(_ payee: CashewMintProcess, sat: UInt64) async throws -> MintQuoteBolt11Response {
        try HTTPJSON.value(try await HTTPJSON.post(
            MintQuoteBolt11Response.self, payee.url + "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: Amount(sat), unit: .sat)))
    }

    static func quoteState(_ payee: CashewMintProcess, _ id: String) async throws -> MintQuoteState {
        try HTTPJSON.value(try await HTTPJSON.get(MintQuoteBolt11Response.self, payee.url + "/v1/mint/quote/bolt11/" + id)).state
    }

    @Test("paid in two parts, the payee's quote PAID; a set with a failing part pays nothing and loses nothing; too little balance pays nothing")
    func paysAcrossMints() async throws {
        try await PostgresTestServer.withDatabase { database in
            let network = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-fake-network-\(UUID().uuidString)").path
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-mpp-\(UUID().uuidString)").path
            let env = ["CASHEW_FAKE_NETWORK": network, "CASHEW_FAKE_MPP_TIMEOUT": "4"]
            let a = try await CashewMintProcess(environment: env)
            let b = try await CashewMintProcess(database: database, environment: env)
            // B is two processes on one PostgreSQL: the wallet uses one, the other sees the same quotes.
            let b2 = try await b.peer()
            let payee = try await CashewMintProcess(environment: env.merging(["CASHEW_FAKE_INCOMING_DELAY": "86400"]) { $1 })
            let failing = try await CashewMintProcess(environment: env.merging(["CASHEW_FAKE_PAYMENT_OUTCOME": "failed"]) { $1 })
            defer {
                for m in [a, b, b2, payee, failing] {
                    m.stop()
                    m.removeData()
                }
                try? FileManager.default.removeItem(atPath: network)
                try? FileManager.default.removeItem(atPath: root)
            }
            func cashew(_ dir: String, _ args: [String]) async throws -> Interop.Output { try await WalletCLITests.cashew(["--dir", dir] + args) }
            func balance(_ dir: String, _ mint: CashewMintProcess) async throws -> Int { try #require(try await WalletCLITests.balance(dir, mint.url)) }

            // Alice holds 80 at A and 60 at B: neither pays 100 alone.
            let alice = root + "/alice"
            for (mint, amount) in [(a, "80"), (b, "60")] {
                let minted = try await cashew(alice, ["--mint", mint.url, "mint", amount])
                #expect(minted.status == 0, "\(minted.stderr)")
            }
            let plain = try await Self.invoice(payee, sat: 100)
            let single = try await cashew(alice, ["--mint", a.url, "pay", plain.request])
            #expect(single.status != 0 && single.stderr.contains("not enough"), "\(single.stderr)")

            let paid = try await cashew(alice, ["pay", plain.request, "--mpp", "--json"])
            #expect(paid.status == 0, "\(paid.stderr)")
            let result = try Self.json(paid)
            #expect(result["state"] as? String == "paid")
            let parts = try #require(result["parts"] as? [[String: Any]])
            #expect(parts.count == 2)
            #expect(parts.compactMap { $0["amount_msat"] as? Int }.reduce(0, +) == 100_000)
            #expect(Set(parts.compactMap { $0["mint"] as? String }) == [a.url, b.url])
            #expect(parts.allSatisfy { $0["state"] as? String == "PAID" && ($0["preimage"] as? String)?.count == 64 })
            let partB = try #require(parts.first { $0["mint"] as? String == b.url }?["quote"] as? String)
            let seenOnPeer = try HTTPJSON.value(try await HTTPJSON.get(MeltQuoteBolt11Response.self, b2.url + "/v1/melt/quote/bolt11/" + partB))
            #expect(seenOnPeer.state == .paid && seenOnPeer.amount == Amount(UInt64(parts.first { $0["mint"] as? String == b.url }?["amount"] as? Int ?? 0)))
            // The payee's node settled the invoice: its mint quote is paid.
            var state = try await Self.quoteState(payee, plain.quote)
            for _ in 0..<40 where state == .unpaid {
                try await Task.sleep(for: .milliseconds(250))
                state = try await Self.quoteState(payee, plain.quote)
            }
            #expect(state == .paid)
            // 140 − 100 − the fake nodes' fee of 1 sat per part.
            #expect(try await balance(alice, a) + balance(alice, b) == 38)

            // Bob's second mint fails its part: A's part is held, then failed when the set stays incomplete.
            let bob = root + "/bob"
            for (mint, amount) in [(a, "80"), (failing, "60")] {
                let minted = try await cashew(bob, ["--mint", mint.url, "mint", amount])
                #expect(minted.status == 0, "\(minted.stderr)")
            }
            let second = try await Self.invoice(payee, sat: 100)
            let refused = try await cashew(bob, ["pay", second.request, "--mpp"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("failed; nothing was spent"), "\(refused.stderr)")
            #expect(refused.stdout.contains("UNPAID"), "\(refused.stdout)")
            #expect(try await balance(bob, a) == 80)
            #expect(try await balance(bob, failing) == 60)
            #expect(try await Self.quoteState(payee, second.quote) == .unpaid)

            // More than the mints hold: nothing is paid.
            let big = try await Self.invoice(payee, sat: 500)
            let short = try await cashew(bob, ["pay", big.request, "--mpp"])
            #expect(short.status != 0 && short.stderr.contains("nothing was paid"), "\(short.stderr)")
            #expect(try await balance(bob, a) == 80)
            #expect(try await balance(bob, failing) == 60)
        }
    }

    @Test("nutshell's wallet pays 40 of an invoice through cashew-mint A (`cashu pay INVOICE 40`) while ours pays the other 60 through B: the payee is paid once both arrive",
          .enabled(if: Interop.available))
    func nutshellPaysAPart() async throws {
        let network = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-fake-network-\(UUID().uuidString)").path
        let env = ["CASHEW_FAKE_NETWORK": network, "CASHEW_FAKE_MPP_TIMEOUT": "60"]
        let a = try await CashewMintProcess(environment: env)
        let b = try await CashewMintProcess(environment: env)
        let payee = try await CashewMintProcess(environment: env.merging(["CASHEW_FAKE_INCOMING_DELAY": "86400"]) { $1 })
        defer {
            for m in [a, b, payee] {
                m.stop()
                m.removeData()
            }
            try? FileManager.default.removeItem(atPath: network)
        }
        let minted = try await NutshellWallet.run(a, "carol", ["invoice", "64"])
        #expect(minted.status == 0, "\(minted.stdout)\(minted.stderr)")
        try await WalletMeltRestoreTests.withStores(1) { stores in
            let ours = try Wallet(store: stores[0], mnemonic: try Mnemonic.generate(wordCount: 12))
            try await WalletMeltRestoreTests.mint(ours, 80, at: b.url)
            let invoice = try await Self.invoice(payee, sat: 100)
            // nutshell's wallet reads NUT-15 from A's /v1/info and asks for a 40-sat part; it blocks until the set settles.
            let nutshell = Task.detached { try await NutshellWallet.run(a, "carol", ["pay", invoice.request, "40"]) }
            let quote = try await ours.meltQuote(invoice: invoice.request, unit: .sat, mintURL: b.url, partMsat: 60_000)
            #expect(quote.amount == 60)
            let result = try await ours.melt(quote, unit: .sat, mintURL: b.url, timeout: .seconds(120))
            #expect(result.state == .paid)
            let out = try await nutshell.value
            #expect(out.status == 0 && (out.stdout + out.stderr).contains("Invoice paid"), "\(out.stdout)\(out.stderr)")
            #expect(NutshellWallet.balance(try await NutshellWallet.run(a, "carol", ["balance"])) == 64 - 40 - 1)
            #expect(try await ours.balance(mintURL: b.url, unit: .sat) == 80 - 60 - 1)
            var state = try await Self.quoteState(payee, invoice.quote)
            for _ in 0..<40 where state == .unpaid {
                try await Task.sleep(for: .milliseconds(250))
                state = try await Self.quoteState(payee, invoice.quote)
            }
            #expect(state == .paid)
        }
    }
}
