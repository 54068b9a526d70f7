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
        let mint = try CashewMintProcess()
        defer {
            _ = mint.stop()
            mint.removeData()
        }
        try await WalletMeltRestoreTests.withStores(2) { stores in
            let wallet = try Wallet(store: stores[0], mnemonic: try Mnemonic.generate(wordCount: 12))
            try await WalletMeltRestoreTests.mint(wallet, 96, at: mint.url)  // 32 + 64
            let client = wallet.client(mint.url)
            let keyset = try await wallet.activeKeyset(client.url, unit: .sat)
            let held = try await stores[0].proofs(mintURL: client.url)
            let sixtyFour = try #require(held.first { $0.proof.amount == 64 })
            let thirtyTwo = try #require(held.first { $0.proof.amount == 32 })

            // The swap reaches the mint, but its answer is lost (the process "dies" before storing it).
            let outputs = try await wallet.prepare([32, 32], keyset: keyset)
            let lost = try await stores[0].beginOperation(
                .swap, mintURL: client.url, data: try Wallet.json(Wallet.Journal(quote: nil, outputs: [outputs.journal])), inputs: [sixtyFour.y])
            try await stores[0].markSent(lost.id)
            _ = try await client.swap(SwapRequest(inputs: [sixtyFour.proof], outputs: outputs.messages))

            // Another swap that never left the wallet.
            let unsent = try await stores[0].beginOperation(.swap, mintURL: client.url, data: try Wallet.json(Wallet.Journal(quote: nil, outputs: [])), inputs: [thirtyTwo.y])
            try await stores[0].markSent(unsent.id)
            #expect(try await wallet.balance(mintURL: mint.url) == 0)

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
