import CashuCrypto
import CashuProtocol
import Foundation
import TestSupport
import Testing

@testable import CashewWallet

@Suite("Wallet recovery of interrupted operations")
struct WalletRecoveryTests {
    @Test("a swap whose answer was lost is completed from the mint's records; one never sent is rolled back")
    func lostAnswers() async throws {
        let mint = try await CashewMintProcess()
        defer {
            _ = mint.stop()
            mint.removeData()
        }
        try await WalletMeltRestoreTests.withStores(2) { stores in
            let wallet = try Wallet(store: stores[0], mnemonic: try Mnemonic.generate(wordCount: 12))
            try await WalletMeltRestoreTests.mint(wallet, 96, at: mint.url)
            let client = wallet.client(mint.url)
            let keyset = try await wallet.activeKeyset(client.url, unit: .sat)
            let held = try await stores[0].proofs(mintURL: client.url)
            let sixtyFour = try #require(held.first { $0.proof.amount == 16 })  // (names kept: the swapped and the unsent proof)
            let thirtyTwo = try #require(held.first { $0.proof.amount == 8 })

            // The swap reaches the mint, but its answer is lost (the process "dies" before storing it).
            let outputs = try await wallet.prepare([8, 8], keyset: keyset)
            let lost = try await stores[0].beginOperation(
                .swap, mintURL: client.url, data: try Wallet.json(Wallet.Journal(quote: nil, outputs: [outputs.journal])), inputs: [sixtyFour.y])
            try await stores[0].markSent(lost.id)
            _ = try await client.swap(SwapRequest(inputs: [sixtyFour.proof], outputs: outputs.messages))

            // Another swap that never left the wallet.
            let unsent = try await stores[0].beginOperation(.swap, mintURL: client.url, data: try Wallet.json(Wallet.Journal(quote: nil, outputs: [])), inputs: [thirtyTwo.y])
            try await stores[0].markSent(unsent.id)
            #expect(try await wallet.balance(mintURL: mint.url) == 72)

            let recovered = try await wallet.recover(mintURL: mint.url)
            #expect(Set(recovered.map { "\($0.id):\($0.outcome.rawValue)" }) == ["\(lost.id):completed", "\(unsent.id):rolledBack"])
            #expect(try await wallet.balance(mintURL: mint.url) == 96)
            #expect(try await stores[0].openOperations().isEmpty)
            // Everything recovered is really spendable.
            let token = try await wallet.send(amount: 96, mintURL: mint.url)
            let other = try Wallet(store: stores[1], mnemonic: try Mnemonic.generate(wordCount: 12))
            #expect(try await other.receive(token) == 96)
        }
    }
}

@Suite("Wallet when the mint dies mid-request")
struct WalletMintKilledTests {
    @Test("the mint is killed after carrying out a receive's swap but before answering: after it returns, the wallet recovers the proofs")
    func killedBetweenRequestAndResponse() async throws {
        try await MintKilledMidRequest.with { mint, wallets, stores in
            let (sender, wallet, url) = (wallets[0], wallets[1], mint.url)
            try await WalletMeltRestoreTests.mint(sender, 64, at: url)
            let token = try await sender.send(amount: 50, mintURL: url)
            try await mint.loseAnswer(to: "/v1/swap") { _ = try await wallet.receive(token) }
            // Nothing is known yet: the operation is open.
            #expect(try await wallet.balance(mintURL: url) == 0)
            #expect(try await stores[1].openOperations().count == 1)

            try await mint.restart()
            let recovered = try await wallet.recover(mintURL: url)
            #expect(recovered.map(\.outcome) == [.completed])
            #expect(try await wallet.balance(mintURL: url) == 50)
            // The recovered proofs are good: the sender receives all of them back.
            #expect(try await sender.receive(try await wallet.send(amount: 50, mintURL: url)) == 50)
        }
    }
}

@Suite("Wallet replays to a NUT-19 mint")
struct WalletReplayTests {
    @Test("a receive's swap answer is lost on the way: the wallet replays the identical request and gets it, with nothing left to recover")
    func lostAnswerReplayed() async throws {
        let mint = try await CashewMintProcess()
        // The answer is dropped; the mint keeps running.
        let proxy = try KillingProxy(target: mint.port) {}
        defer {
            proxy.stop()
            _ = mint.stop()
            mint.removeData()
        }
        let url = "http://127.0.0.1:\(proxy.port)"
        try await WalletMeltRestoreTests.withStores(2) { stores in
            let sender = try Wallet(store: stores[0], mnemonic: try Mnemonic.generate(wordCount: 12))
            let wallet = try Wallet(store: stores[1], mnemonic: try Mnemonic.generate(wordCount: 12))
            try await WalletMeltRestoreTests.mint(sender, 64, at: url)
            #expect(await wallet.client(url).cachesResponses(path: "/v1/swap"))
            let token = try await sender.send(amount: 50, mintURL: url)
            proxy.arm(path: "/v1/swap")
            #expect(try await wallet.receive(token) == 50)
            #expect(try await wallet.balance(mintURL: url) == 50)
            #expect(try await stores[1].openOperations().isEmpty)
            // The proofs are good.
            #expect(try await sender.receive(try await wallet.send(amount: 50, mintURL: url)) == 50)
        }
    }

    @Test("a mint without NUT-19 (response_cache_ttl = 0): the lost answer is not replayed; recovery completes the operation")
    func noReplayWithoutNUT19() async throws {
        let mint = try await CashewMintProcess(environment: ["CASHEW_RESPONSE_CACHE_TTL": "0"])
        let proxy = try KillingProxy(target: mint.port) {}
        defer {
            proxy.stop()
            _ = mint.stop()
            mint.removeData()
        }
        let url = "http://127.0.0.1:\(proxy.port)"
        try await WalletMeltRestoreTests.withStores(2) { stores in
            let sender = try Wallet(store: stores[0], mnemonic: try Mnemonic.generate(wordCount: 12))
            let wallet = try Wallet(store: stores[1], mnemonic: try Mnemonic.generate(wordCount: 12))
            try await WalletMeltRestoreTests.mint(sender, 64, at: url)
            #expect(!(await wallet.client(url).cachesResponses(path: "/v1/swap")))
            let token = try await sender.send(amount: 50, mintURL: url)
            proxy.arm(path: "/v1/swap")
            do {
                _ = try await wallet.receive(token)
                Issue.record("the answer should have been lost")
            } catch let error as MintClientError {
                guard case .transport = error.kind else { Issue.record("expected a lost connection, got \(error)"); return }
            }
            #expect(try await stores[1].openOperations().count == 1)
            #expect(try await wallet.recover(mintURL: url).map(\.outcome) == [.completed])
            #expect(try await wallet.balance(mintURL: url) == 50)
        }
    }
}
