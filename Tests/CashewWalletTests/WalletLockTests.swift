import CashewEncoding
import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

/// Locked tokens between wallets against a `cashew-mint` process: P2PK (NUT-11), HTLC (NUT-14), blinded keys
/// (NUT-28), and NUT-20 signed mint quotes.
@Suite("Wallet: spending conditions against cashew-mint")
struct WalletLockTests {
    static var now: UInt64 { UInt64(Date().timeIntervalSince1970) }

    /// Alice (funded with `amount`), Bob and Carol, each with a fresh seed phrase.
    static func withWallets(funded amount: Amount, at url: String, _ body: (Wallet, Wallet, Wallet) async throws -> Void) async throws {
        try await WalletMeltRestoreTests.withStores(3) { stores in
            let wallets = try stores.map { try Wallet(store: $0, mnemonic: try Mnemonic.generate(wordCount: 12)) }
            try await WalletMeltRestoreTests.mint(wallets[0], amount, at: url)
            try await body(wallets[0], wallets[1], wallets[2])
        }
    }

    /// Expects `receive` to be refused as locked, changing nothing in the receiver's wallet or at the mint.
    static func expectLocked(_ wallet: Wallet, _ token: Token, preimages: [[UInt8]] = [], url: String) async throws {
        let before = try await wallet.balance(mintURL: url)
        do {
            try await wallet.receive(token, preimages: preimages)
            Issue.record("a locked token was received by a wallet that cannot unlock it")
        } catch let error as WalletError {
            #expect(error.code == .locked, "\(error)")
        }
        #expect(try await wallet.balance(mintURL: url) == before)
        let states = try await wallet.client(url).checkState(CheckStateRequest(ys: token.proofs.map { try $0.y }))
        #expect(states.states.allSatisfy { $0.state == .unspent })
    }

    static func keys(_ token: Token) throws -> Set<String> {
        Set(try token.proofs.flatMap { p -> [String] in
            let s = try WellKnownSecret(parsing: p.secret)
            return [s.data] + s.tags.flatMap { $0.dropFirst() }
        })
    }

    @Test("P2PK: only the key's holder receives; locktime and refund; blinded keys (NUT-28); SIG_ALL; quotes signed (NUT-20)")
    func p2pk() async throws {
        try await CashewMintProcess.with { mint in
            let url = mint.url
            try await Self.withWallets(funded: 500, at: url) { alice, bob, carol in
                // Alice's quote was locked to a key of her own (NUT-20), and her wallet kept the key to sign the mint.
                let quotes = try await alice.store.quotes(mintURL: MintClient(url: url).url, kind: .mint)
                #expect(quotes.count == 1 && quotes[0].secretKey != nil && quotes[0].state == "ISSUED")
                let stored = try #require(quotes.first)
                let quote = try await alice.client(url).mintQuote(id: stored.id)
                #expect(quote.pubkey == (try stored.secretKey?.publicPoint))

                let bobKey = try bob.lockingPublicKey()

                let token = try await alice.send(amount: 50, mintURL: url, lock: SpendingLock(keys: [bobKey]))
                #expect(try Self.keys(token).contains(bobKey.hex))
                #expect(try await alice.balance(mintURL: url) == 450)
                try await Self.expectLocked(carol, token, url: url)
                try await Self.expectLocked(alice, token, url: url)
                #expect(try await bob.receive(token) == 50)
                #expect(try await bob.balance(mintURL: url) == 50)

                // Active lock with Alice as refund key: she cannot take it back yet, Bob can spend it.
                let active = try await alice.send(amount: 20, mintURL: url, lock: SpendingLock(keys: [bobKey], locktime: Self.now + 3600, refundKeys: [try alice.lockingPublicKey()]))
                try await Self.expectLocked(alice, active, url: url)
                try await Self.expectLocked(carol, active, url: url)
                // Expired lock: Alice reclaims with her refund key (Carol still cannot), and the receiver could as well.
                let expired = try await alice.send(amount: 20, mintURL: url, lock: SpendingLock(keys: [bobKey], locktime: Self.now - 10, refundKeys: [try alice.lockingPublicKey()]))
                try await Self.expectLocked(carol, expired, url: url)
                #expect(try await alice.receive(expired) == 20)
                // Expired with no refund keys: anyone can spend (NUT-11).
                let open = try await alice.send(amount: 4, mintURL: url, lock: SpendingLock(keys: [bobKey], locktime: Self.now - 10))
                #expect(try await carol.receive(open) == 4)

                // Blinded (NUT-28): the secrets show neither Bob's key nor Alice's refund key; only Bob can spend.
                let blinded = try await alice.send(
                    amount: 30, mintURL: url,
                    lock: SpendingLock(keys: [bobKey], locktime: Self.now + 3600, refundKeys: [try alice.lockingPublicKey()], blinded: true))
                let shown = try Self.keys(blinded)
                let aliceKey = try alice.lockingPublicKey().hex
                #expect(!shown.contains(bobKey.hex) && !shown.contains(aliceKey))
                #expect(blinded.proofs.allSatisfy { $0.p2pkEphemeralKey != nil } && Set(blinded.proofs.map(\.p2pkEphemeralKey)).count == blinded.proofs.count)
                // The ephemeral key survives the V4 token (`pe`).
                let decoded = try Token(decoding: try blinded.serialized(.v4))
                try await Self.expectLocked(carol, decoded, url: url)
                try await Self.expectLocked(alice, decoded, url: url)
                #expect(try await bob.receive(decoded) == 30)

                // SIG_ALL over several proofs (40 = 32 + 8), blinded with one shared ephemeral key.
                let sigAll = try await alice.send(amount: 40, mintURL: url, lock: SpendingLock(keys: [bobKey], signatureFlag: .sigAll, blinded: true))
                #expect(sigAll.proofs.count == 2 && Set(sigAll.proofs.map(\.p2pkEphemeralKey)).count == 1)
                try await Self.expectLocked(carol, sigAll, url: url)
                #expect(try await bob.receive(sigAll) == 40)
                #expect(try await bob.balance(mintURL: url) == 120)
                // Nothing was lost on the way: 500 − 50 − 20 (active, still locked) − 4 − 30 − 40 = 356.
                #expect(try await alice.balance(mintURL: url) == 356)
            }
        }
    }

    @Test("multisig 2-of-2: one signer co-signs the token, the other receives it; one key alone is not enough")
    func multisig() async throws {
        try await CashewMintProcess.with { mint in
            try await Self.withWallets(funded: 100, at: mint.url) { alice, bob, carol in
                for blinded in [false, true] {
                    let lock = SpendingLock(keys: [try bob.lockingPublicKey(), try carol.lockingPublicKey()], requiredSignatures: 2, blinded: blinded)
                    let token = try await alice.send(amount: 10, mintURL: mint.url, lock: lock)
                    try await Self.expectLocked(bob, token, url: mint.url)
                    let cosigned = try bob.cosign(try Token(decoding: try token.serialized()))
                    #expect(throws: WalletError.self) { try alice.cosign(token) }  // not one of the keys
                    #expect(try await carol.receive(try Token(decoding: try cosigned.serialized())) == 10)
                }
                #expect(try await carol.balance(mintURL: mint.url) == 20)
            }
        }
    }

    @Test("HTLC: the preimage (and the receiver's signature) unlocks; the sender's refund after the locktime")
    func htlc() async throws {
        try await CashewMintProcess.with { mint in
            let url = mint.url
            try await Self.withWallets(funded: 100, at: url) { alice, bob, carol in
                let (preimage, hash) = SpendingLock.newPreimage()
                let token = try await alice.send(amount: 16, mintURL: url, lock: SpendingLock(kind: .htlc(hash: hash), keys: [try bob.lockingPublicKey()]))
                try await Self.expectLocked(bob, token, url: url)
                try await Self.expectLocked(bob, token, preimages: [SecureRandom.bytes(32)], url: url)
                try await Self.expectLocked(carol, token, preimages: [preimage], url: url)
                #expect(try await bob.receive(token, preimages: [preimage]) == 16)
                // The preimage is public at the mint now (NUT-07 returns the witness).
                let lockedProof = try #require(token.proofs.first)
                let state = try #require(try await bob.client(url).checkState(CheckStateRequest(ys: [try lockedProof.y])).states.first)
                #expect(state.state == .spent && state.witness?.contains(Hex.encode(preimage)) == true)

                // Without receiver keys the preimage alone spends it.
                let open = try await alice.send(amount: 8, mintURL: url, lock: SpendingLock(kind: .htlc(hash: hash), keys: []))
                try await Self.expectLocked(carol, open, url: url)
                #expect(try await carol.receive(open, preimages: [preimage]) == 8)

                // Refund: the locktime has passed, Alice takes back a token Bob never unlocked.
                let (_, otherHash) = SpendingLock.newPreimage()
                let refund = try await alice.send(
                    amount: 4, mintURL: url,
                    lock: SpendingLock(kind: .htlc(hash: otherHash), keys: [try bob.lockingPublicKey()], locktime: Self.now - 10, refundKeys: [try alice.lockingPublicKey()], blinded: true))
                try await Self.expectLocked(carol, refund, url: url)
                #expect(try await alice.receive(refund) == 4)
                #expect(try await alice.balance(mintURL: url) == 100 - 16 - 8)
            }
        }
    }

    @Test("a locked send whose answer was lost is recovered as sent: the token is in the history and the change is ours")
    func lockedSendRecovered() async throws {
        // Without NUT-19 (the wallet would replay the swap and get its answer): recovery is what is under test.
        let mint = try await CashewMintProcess(environment: ["CASHEW_RESPONSE_CACHE_TTL": "0"])
        let proxy = try KillingProxy(target: mint.port) {}
        defer {
            proxy.stop()
            _ = mint.stop()
            mint.removeData()
        }
        let url = "http://127.0.0.1:\(proxy.port)"
        try await Self.withWallets(funded: 64, at: url) { alice, bob, _ in
            proxy.arm(path: "/v1/swap")
            do {
                _ = try await alice.send(amount: 20, mintURL: url, lock: SpendingLock(keys: [try bob.lockingPublicKey()], blinded: true))
                Issue.record("the answer should have been lost")
            } catch let error as MintClientError {
                guard case .transport = error.kind else { Issue.record("expected a lost connection, got \(error)"); return }
            }
            // Inputs held by the open operation; nothing is known yet.
            #expect(try await alice.balance(mintURL: url) <= 44)
            #expect(try await alice.store.openOperations().count == 1)
            let recovered = try await alice.recover(mintURL: url)
            #expect(recovered.map(\.outcome) == [.completed])
            #expect(try await alice.balance(mintURL: url) == 44)
            let entry = try #require(try await alice.store.history(limit: 1).first)
            #expect(entry.kind == "sent" && entry.amount == 20)
            let token = try Token(decoding: try #require(entry.token))
            #expect(token.proofs.allSatisfy { $0.p2pkEphemeralKey != nil })
            #expect(try await bob.receive(token) == 20)
        }
    }

    @Test("an invalid lock is refused before anything is spent")
    func refusals() async throws {
        try await CashewMintProcess.with { mint in
            try await Self.withWallets(funded: 10, at: mint.url) { alice, bob, _ in
                let key = try bob.lockingPublicKey()
                do {
                    _ = try await alice.send(amount: 2, mintURL: mint.url, lock: SpendingLock(keys: [key], requiredSignatures: 2))
                    Issue.record("n_sigs above the key count was accepted")
                } catch let error as WalletError { #expect(error.code == .invalidInput) }
                #expect(try await alice.balance(mintURL: mint.url) == 10)
            }
        }
    }
}
