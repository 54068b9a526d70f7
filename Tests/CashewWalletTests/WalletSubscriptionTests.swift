import Bolt11
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

@testable import CashewWallet

/// NUT-17 in the wallet: waiting for an invoice through a subscription, polling where none is offered.
@Suite("Wallet waits through NUT-17 subscriptions", .serialized)
struct WalletSubscriptionTests {
    @Test("a mint quote paid a second later is seen through the subscription, though polling would look only once a minute")
    func waitsBySubscription() async throws {
        try await CashewMintProcess.with { mint in
            try await WalletMeltRestoreTests.withStores(1) { stores in
                let wallet = try Wallet(store: stores[0], mnemonic: try Mnemonic.generate(wordCount: 12))
                let quote = try await wallet.requestMint(amount: 8, mintURL: mint.url)
                let start = ContinuousClock.now
                try await wallet.waitUntilPaid(quote: quote.quote, mintURL: mint.url, timeout: .seconds(40), poll: .seconds(60))
                // The fake node pays after a second; polling would look again only at the deadline, 40 s away.
                #expect(ContinuousClock.now - start < .seconds(20))
                try await wallet.mint(quote: quote.quote, amount: 8, mintURL: mint.url)
                #expect(try await wallet.balance(mintURL: mint.url) == 8)
            }
        }
    }

    @Test("the same wait at a mint without websockets polls: with a poll of a minute it sees the payment only at its deadline")
    func pollsWithout() async throws {
        try await CashewMintProcess.with(environment: ["CASHEW_WEBSOCKET": "false"]) { mint in
            #expect(try await HTTPJSON.value(try await HTTPJSON.get(MintInfo.self, mint.url + "/v1/info")).nuts?["17"] == nil)
            try await WalletMeltRestoreTests.withStores(1) { stores in
                let wallet = try Wallet(store: stores[0], mnemonic: try Mnemonic.generate(wordCount: 12))
                let quote = try await wallet.requestMint(amount: 8, mintURL: mint.url)
                let start = ContinuousClock.now
                try await wallet.waitUntilPaid(quote: quote.quote, mintURL: mint.url, timeout: .seconds(4), poll: .seconds(60))
                let elapsed = ContinuousClock.now - start
                #expect(elapsed >= .milliseconds(3900), "\(elapsed)")
            }
        }
    }

    @Test("a melt the mint answers PENDING (prefer_async, as the wallet asks where it can subscribe) is waited for on the socket, then settled with its change",
          arguments: [true, false])
    func meltWaitsForOutcome(websocket: Bool) async throws {
        let env = ["CASHEW_FAKE_PAYMENT_DELAY": "3", "CASHEW_WEBSOCKET": websocket ? "true" : "false"]
        try await CashewMintProcess.with(environment: env) { mint in
            try await WalletMeltRestoreTests.withStores(1) { stores in
                let wallet = try Wallet(store: stores[0], mnemonic: try Mnemonic.generate(wordCount: 12))
                try await WalletMeltRestoreTests.mint(wallet, 100, at: mint.url)
                let quote = try await wallet.meltQuote(invoice: try MintAPITestsSupportInvoice.external(sat: 40), mintURL: mint.url)
                let result = try await wallet.melt(quote, mintURL: mint.url, wait: .seconds(60))
                #expect(result.state == .paid)
                // 100 − 40 − the fake node's fee of 1 sat: the change came back after the wait.
                #expect(try await wallet.balance(mintURL: mint.url) == 59)
                #expect(try await stores[0].openOperations().isEmpty)
                if websocket {
                    // Answered PENDING at once, the outcome arrived through the melt-quote subscription.
                    #expect(mint.logs.contains("kind=bolt11_melt_quote"), "\(mint.logs.suffix(2000))")
                }
            }
        }
    }

    @Test("a sent token is waited for until the receiver claims it (subscription, or NUT-07 polling without websockets); unclaimed, the wait ends false",
          arguments: [true, false])
    func sentTokenClaimed(websocket: Bool) async throws {
        try await CashewMintProcess.with(environment: ["CASHEW_WEBSOCKET": websocket ? "true" : "false"]) { mint in
            try await WalletMeltRestoreTests.withStores(2) { stores in
                let alice = try Wallet(store: stores[0], mnemonic: try Mnemonic.generate(wordCount: 12))
                let bob = try Wallet(store: stores[1], mnemonic: try Mnemonic.generate(wordCount: 12))
                try await WalletMeltRestoreTests.mint(alice, 64, at: mint.url)
                let token = try await alice.send(amount: 24, mintURL: mint.url)
                #expect(try await alice.waitUntilReceived(token, timeout: .seconds(1)) == false)
                let waiting = Task { try await alice.waitUntilReceived(token, timeout: .seconds(60)) }
                try await Task.sleep(for: .milliseconds(500))
                #expect(try await bob.receive(token) == 24)
                #expect(try await waiting.value)
                let ys = Set(try token.proofs.map { try $0.y.hex })
                let states = try await stores[0].proofs(mintURL: mint.url, states: [.spent]).filter { ys.contains($0.y) }
                #expect(states.count == ys.count)
                if websocket { #expect(mint.logs.contains("kind=proof_state"), "\(mint.logs.suffix(2000))") }
            }
        }
    }

    @Test("cashew send --wait: the token is printed at once; unclaimed within the wait, one error line and a non-zero exit, the proofs still pending")
    func cliSendWaitTimesOut() async throws {
        try await CashewMintProcess.with { mint in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-wait-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            #expect(try await WalletCLITests.cashew(["--dir", dir, "--mint", mint.url, "mint", "16"]).status == 0)
            let sent = try await WalletCLITests.cashew(["--dir", dir, "--mint", mint.url, "send", "8", "--wait", "2"])
            #expect(sent.status != 0)
            #expect(sent.stdout.split(separator: "\n").last?.hasPrefix("cashuB") == true, "\(sent.stdout)")
            let errors = sent.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            #expect(errors.count == 1 && errors[0].contains("not claimed within 2 s"), "\(sent.stderr)")
            #expect(try await WalletCLITests.balance(dir, mint.url) == 8)
        }
    }
}

enum MintAPITestsSupportInvoice {
    static func external(sat: UInt64) throws -> String {
        try Invoice.Builder(
            amountMsat: sat * 1000, paymentHash: SecureRandom.bytes(32), paymentSecret: SecureRandom.bytes(32), description: "elsewhere"
        ).sign(with: .random()).bolt11
    }
}
