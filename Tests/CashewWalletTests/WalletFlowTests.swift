import CashewEncoding
import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

@Suite("Wallet against cashew-mint: mint, send, receive")
struct WalletFlowTests {
    /// Two wallets with fresh seed phrases and in-memory stores, closed afterwards even when `body` fails
    /// (sqlite-nio requires its connections closed).
    static func withWallets(_ body: (Wallet, Wallet) async throws -> Void) async throws {
        let a = try await WalletStore.open(path: ":memory:")
        let b = try await WalletStore.open(path: ":memory:")
        do {
            try await body(try Wallet(store: a, mnemonic: try Mnemonic.generate(wordCount: 12)), try Wallet(store: b, mnemonic: try Mnemonic.generate(wordCount: 12)))
        } catch {
            try? await a.close()
            try? await b.close()
            throw error
        }
        try await a.close()
        try await b.close()
    }

    @Test("mint 1000, send 100 (swap) and 8 (offline), receive both in a second wallet; a second receive is refused")
    func flow() async throws {
        try await CashewMintProcess.with { mint in
            try await Self.withWallets { alice, bob in
            let quote = try await alice.requestMint(amount: 1000, mintURL: mint.url)
            try await alice.waitUntilPaid(quote: quote.quote, mintURL: mint.url, timeout: .seconds(30), poll: .milliseconds(100))
            let minted = try await alice.mint(quote: quote.quote, amount: 1000, mintURL: mint.url)
            // At least three of each small denomination, then the rest in few proofs (Denominations.keepSplit).
            #expect(Amount.sum(minted.map(\.amount)) == 1000 && minted.count <= 40)
            for d in [1, 2, 4, 8, 16, 32, 64] as [Amount] { #expect(minted.filter { $0.amount == d }.count >= 3) }
            #expect(try await alice.balance(mintURL: mint.url) == 1000)

            let token = try await alice.send(amount: 100, mintURL: mint.url, memo: "lunch")
            #expect(token.amount == 100 && token.proofs.allSatisfy { $0.dleq != nil })
            #expect(try await alice.balance(mintURL: mint.url) == 900)
            let text = try token.serialized()
            #expect(text.hasPrefix("cashuB"))
            #expect(try await bob.receive(try Token(decoding: text)) == 100)
            #expect(try await bob.balance(mintURL: mint.url) == 100)
            do {
                try await bob.receive(try Token(decoding: text))
                Issue.record("a token was received twice")
            } catch let error as MintClientError {
                #expect(error.code == .proofsAlreadySpent)
            }
            #expect(try await bob.balance(mintURL: mint.url) == 100)

            // 8 is one of Alice's proofs: sent offline, without asking the mint. 700 needs a swap (change kept split).
            let big = try await alice.send(amount: 700, mintURL: mint.url)
            #expect(try await bob.receive(big) == 700)
            #expect(try await alice.balance(mintURL: mint.url) == 200)
            let eight = try await alice.send(amount: 8, mintURL: mint.url)
            #expect(eight.proofs.count == 1)
            #expect(try await bob.receive(try Token(decoding: try eight.serialized(.v3))) == 8)
            #expect(try await alice.balance(mintURL: mint.url) == 192)
            #expect(try await bob.balance(mintURL: mint.url) == 808)
            #expect(try await alice.store.history().map(\.kind) == ["sent", "sent", "sent", "minted"])
            #expect(try await alice.store.openOperations().isEmpty)
            #expect(try await bob.store.openOperations().isEmpty)

            // A token whose DLEQ does not verify is refused before the mint is asked.
            var forged = try await alice.send(amount: 16, mintURL: mint.url)
            try #require(!forged.proofs.isEmpty)
            forged.proofs[0].dleq?.e = .random()
            do {
                try await bob.receive(forged)
                Issue.record("a token with a bad DLEQ was received")
            } catch let error as WalletError {
                #expect(error.code == .invalidInput)
            }
            #expect(try await bob.balance(mintURL: mint.url) == 808)
            await #expect(throws: WalletError.self) { _ = try await alice.send(amount: 5000, mintURL: mint.url) }
            }
        }
    }
}

@Suite("Wallet against cashew-mint on PostgreSQL")
struct WalletPostgresTests {
    @Test("mint, send, receive, melt and restore with the mint's ledger in PostgreSQL", .enabled(if: PostgresTestServer.available || PostgresTestServer.required))
    func onPostgres() async throws {
        try await PostgresTestServer.withDatabase { url in
            try await CashewMintProcess.with(database: url) { mint in
                let phrase = try Mnemonic.generate(wordCount: 12)
                try await WalletMeltRestoreTests.withStores(3) { stores in
                    let alice = try Wallet(store: stores[0], mnemonic: phrase)
                    let bob = try Wallet(store: stores[1], mnemonic: try Mnemonic.generate(wordCount: 12))
                    try await WalletMeltRestoreTests.mint(alice, 400, at: mint.url)
                    let token = try await alice.send(amount: 150, mintURL: mint.url)
                    #expect(try await bob.receive(try Token(decoding: try token.serialized())) == 150)
                    let quote = try await alice.meltQuote(invoice: try WalletMeltRestoreTests.invoice(sat: 100), mintURL: mint.url)
                    #expect(try await alice.melt(quote, mintURL: mint.url).state == .paid)
                    #expect(try await alice.balance(mintURL: mint.url) == 149)  // 400 − 150 − 100 − 1 sat Lightning fee
                    let restored = try Wallet(store: stores[2], mnemonic: phrase)
                    #expect(try await restored.restore(mintURL: mint.url) == [.sat: 149])
                }
            }
        }
    }
}

@Suite("Wallet with several mints and units")
struct WalletMultiMintTests {
    @Test("balances are kept per mint and unit; a usd token is sent and received as usd")
    func severalMintsAndUnits() async throws {
        let a = try await CashewMintProcess()
        let b = try await CashewMintProcess(environment: ["CASHEW_UNITS": "sat,usd"])
        defer {
            for m in [a, b] {
                _ = m.stop()
                m.removeData()
            }
        }
        try await WalletMeltRestoreTests.withStores(2) { stores in
            let wallet = try Wallet(store: stores[0], mnemonic: try Mnemonic.generate(wordCount: 12))
            let other = try Wallet(store: stores[1], mnemonic: try Mnemonic.generate(wordCount: 12))
            try await WalletMeltRestoreTests.mint(wallet, 100, at: a.url)
            let quote = try await wallet.requestMint(amount: 300, unit: .usd, mintURL: b.url)
            try await wallet.waitUntilPaid(quote: quote.quote, mintURL: b.url, timeout: .seconds(30), poll: .milliseconds(100))
            try await wallet.mint(quote: quote.quote, amount: 300, unit: .usd, mintURL: b.url)
            #expect(try await wallet.balance(mintURL: a.url, unit: .sat) == 100)
            #expect(try await wallet.balance(mintURL: b.url, unit: .usd) == 300)
            #expect(try await wallet.balance(mintURL: b.url, unit: .sat) == 0)
            #expect(try await stores[0].mints().map(\.url).sorted() == [a.url, b.url].sorted())

            let token = try await wallet.send(amount: 120, unit: .usd, mintURL: b.url)
            #expect(token.unit == .usd)
            #expect(try await other.receive(try Token(decoding: try token.serialized())) == 120)
            #expect(try await other.balance(mintURL: b.url, unit: .usd) == 120)
            #expect(try await wallet.balance(mintURL: b.url, unit: .usd) == 180)
            await #expect(throws: WalletError.self) { _ = try await wallet.send(amount: 1, unit: .usd, mintURL: a.url) }
        }
    }
}
