import Bolt11
import CashewEncoding
import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

@Suite("Wallet against cashew-mint: melt, check, restore")
struct WalletMeltRestoreTests {
    static func invoice(sat: UInt64) throws -> String {
        try Invoice.Builder(amountMsat: sat * 1000, paymentHash: SecureRandom.bytes(32), paymentSecret: SecureRandom.bytes(32), description: "coffee")
            .sign(with: .random()).bolt11
    }

    static func withStores(_ count: Int, _ body: ([WalletStore]) async throws -> Void) async throws {
        var stores = [WalletStore]()
        for _ in 0..<count { stores.append(try await WalletStore.open(path: ":memory:")) }
        do { try await body(stores) } catch {
            // Closed also when the test was cancelled (a time limit): in a task of their own, which the
            // cancellation does not reach (an unclosed SQLite connection aborts the whole test process).
            await Task { for s in stores { try? await s.close() } }.value
            throw error
        }
        for s in stores { try await s.close() }
    }

    static func mint(_ wallet: Wallet, _ amount: Amount, at url: String) async throws {
        let quote = try await wallet.requestMint(amount: amount, mintURL: url)
        try await wallet.waitUntilPaid(quote: quote.quote, mintURL: url, timeout: .seconds(30), poll: .milliseconds(100))
        try await wallet.mint(quote: quote.quote, amount: amount, mintURL: url)
    }

    @Test("melt with change, sent tokens found spent, and a restore from the seed phrase recovers exactly the unspent balance")
    func meltAndRestore() async throws {
        try await CashewMintProcess.with { mint in
            let phrase = try Mnemonic.generate(wordCount: 12)
            try await Self.withStores(3) { stores in
                let alice = try Wallet(store: stores[0], mnemonic: phrase)
                let bob = try Wallet(store: stores[1], mnemonic: try Mnemonic.generate(wordCount: 12))
                try await Self.mint(alice, 1000, at: mint.url)

                // Pay 100 sat: fee reserve 2 (max(2%, 2000 msat)), the fake node charges 1 sat, the rest comes back.
                let quote = try await alice.meltQuote(invoice: try Self.invoice(sat: 100), mintURL: mint.url)
                #expect(quote.amount == 100 && quote.feeReserve == 2)
                let paid = try await alice.melt(quote, mintURL: mint.url)
                #expect(paid.state == .paid && paid.fee == 1)
                #expect(try await alice.balance(mintURL: mint.url) == 899)

                let token = try await alice.send(amount: 50, mintURL: mint.url)
                #expect(try await alice.checkPending(mintURL: mint.url) == 0)
                try await bob.receive(token)
                #expect(try await alice.checkPending(mintURL: mint.url) == token.proofs.count)
                #expect(try await alice.balance(mintURL: mint.url) == 849)

                // Too expensive: refused before anything is sent.
                let big = try await alice.meltQuote(invoice: try Self.invoice(sat: 5000), mintURL: mint.url)
                await #expect(throws: WalletError.self) { _ = try await alice.melt(big, mintURL: mint.url) }
                #expect(try await alice.balance(mintURL: mint.url) == 849)

                // The same phrase, an empty database: restore finds exactly what is unspent.
                let restored = try Wallet(store: stores[2], mnemonic: phrase)
                #expect(try await restored.restore(mintURL: mint.url) == [.sat: 849])
                #expect(try await restored.balance(mintURL: mint.url) == 849)
                // Counters moved past every restored output: new outputs are fresh (the mint would refuse reused ones).
                try await Self.mint(restored, 16, at: mint.url)
                #expect(try await restored.balance(mintURL: mint.url) == 865)
                let spendable = try await restored.send(amount: 865, mintURL: mint.url)
                #expect(try await bob.receive(spendable) == 865)
            }
        }
    }

    @Test("inputs the mint refuses as already spent are marked spent, not returned to the balance")
    func refusedAsSpent() async throws {
        try await CashewMintProcess.with { mint in
            let phrase = try Mnemonic.generate(wordCount: 12)
            try await Self.withStores(3) { stores in
                let first = try Wallet(store: stores[0], mnemonic: phrase)
                try await Self.mint(first, 100, at: mint.url)
                // A second copy of the same wallet (restored from the phrase) holds the same proofs.
                let copy = try Wallet(store: stores[1], mnemonic: phrase)
                #expect(try await copy.restore(mintURL: mint.url) == [.sat: 100])
                // The first copy gives everything away; the receiver swaps it, so every proof is spent at the mint.
                let other = try Wallet(store: stores[2], mnemonic: try Mnemonic.generate(wordCount: 12))
                #expect(try await other.receive(try await first.send(amount: 100, mintURL: mint.url)) == 100)
                // The second copy tries to pay with proofs it thinks are unspent: refused, and it learns they are spent.
                let quote = try await copy.meltQuote(invoice: try Self.invoice(sat: 10), mintURL: mint.url)
                do {
                    _ = try await copy.melt(quote, mintURL: mint.url)
                    Issue.record("the copy spent proofs twice")
                } catch let error as MintClientError {
                    #expect(error.code == .proofsAlreadySpent)
                }
                // The inputs chosen for 10 + 2 reserve are marked spent; the rest still look unspent until used.
                let spent = try await stores[1].proofs(mintURL: mint.url, states: [.spent]).map(\.proof.amount.rawValue).reduce(0, +)
                #expect(spent >= 12)
                let left = try await copy.balance(mintURL: mint.url)
                #expect(spent <= 100 && left == UInt128(100 - spent))
                #expect(try await stores[1].openOperations().isEmpty)
            }
        }
    }

    @Test("a quote paid after the wallet stopped waiting is minted later, once")
    func paidQuotesLater() async throws {
        try await CashewMintProcess.with { mint in
            try await Self.withStores(1) { stores in
                let wallet = try Wallet(store: stores[0], mnemonic: try Mnemonic.generate(wordCount: 12))
                let quote = try await wallet.requestMint(amount: 40, mintURL: mint.url)
                #expect(try await stores[0].quotes(mintURL: mint.url, kind: .mint).map(\.state) == ["UNPAID"])
                try await wallet.waitUntilPaid(quote: quote.quote, mintURL: mint.url, timeout: .seconds(30), poll: .milliseconds(100))
                #expect(try await wallet.mintPaidQuotes(mintURL: mint.url) == [.sat: 40])
                #expect(try await wallet.balance(mintURL: mint.url) == 40)
                #expect(try await stores[0].quotes(mintURL: mint.url, kind: .mint).map(\.state) == ["ISSUED"])
                #expect(try await wallet.mintPaidQuotes(mintURL: mint.url).isEmpty)
            }
        }
    }
}
