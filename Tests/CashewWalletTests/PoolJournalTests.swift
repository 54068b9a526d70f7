import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

/// A pool's submit is journaled before it is sent: when the answer never comes, what the mint did is settled later
/// from its records (the payment and change of a pool are not derived from any seed, so nothing else could).
@Suite("Pools: a submit whose answer is lost")
struct PoolJournalTests {
    @Test("the mint dies after carrying out a pool's swap, before answering: once it is back, settling restores the payment and the change")
    func lostSwapAnswer() async throws {
        try await MintKilledMidRequest.with { mint, wallets, stores in
            let (alice, bob, url) = (wallets[0], wallets[1], mint.url)
            try await WalletMeltRestoreTests.mint(alice, 64, at: url)
            let pool = try PoolDefinition(
                name: "club", mint: url, unit: .sat, members: [try alice.lockingPublicKey().hex, try bob.lockingPublicKey().hex], threshold: 2)
            try await alice.createPool(pool)
            try await bob.createPool(pool)
            let deposit = try await alice.depositToPool("club", amount: 40)
            #expect(try await bob.receivePoolToken("club", token: deposit) == 40)

            // Alice proposes (and signs) paying 10 to a key; Bob signs, and the answer to his submit is lost: the mint
            // dies after carrying out the swap (the wallet's NUT-19 replay finds nobody there).
            let recipient = try Scalar.random().publicPoint
            let proposal = try await alice.proposePoolSpend("club", amount: 10, to: recipient, invoice: nil)
            let signed = try await bob.signPoolProposal(proposal).proposal
            try await mint.loseAnswer(to: "/v1/swap") { _ = try await bob.submitPoolProposal(signed) }
            #expect(try await stores[1].poolSubmissions("club").count == 1)

            // Back up: Bob's next settling finds the inputs spent and restores every output (NUT-09).
            try await mint.restart()
            let settled = try await bob.settlePoolSubmissions("club")
            #expect(settled.map(\.outcome) == [.completed])
            let payment = try #require(settled.first?.payment)
            let change = try #require(settled.first?.change)
            // The deposit is 32 + 8: the 32 was spent, 22 came back.
            #expect(payment.amount == 10 && change.amount == 22)
            #expect(try await stores[1].poolSubmissions("club").isEmpty)
            #expect(try await bob.poolBalance("club") == 30)
            #expect(try await stores[1].poolHistory("club").contains { $0.kind == "paid" && $0.amount == 10 })
            // Settled once; the change is the pool's for Alice too, and the payment is locked to the recipient alone.
            #expect(try await bob.settlePoolSubmissions("club").isEmpty)
            #expect(try await alice.receivePoolToken("club", token: change) == 22)
            #expect(try await alice.poolBalance("club") == 30)
            #expect(payment.proofs.allSatisfy { $0.secret.contains(recipient.hex) })
        }
    }
}
