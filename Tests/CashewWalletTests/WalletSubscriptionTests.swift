import CashuCrypto
import CashuProtocol
import Foundation
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
}
