import Bolt11
import CashewEncoding
import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

/// Our wallet against nutshell's mint (input fees of 100 ppk, its own keyset IDs), and tokens both ways with
/// nutshell's wallet.
@Suite("Interop: Cashew's wallet with nutshell's mint and wallet", .enabled(if: Interop.available), .serialized)
struct NutshellInteropTests {
    @Test("mint, send to nutshell's wallet, receive V4 and V3 from it, melt, restore")
    func againstNutshell() async throws {
        let mint = try await NutshellMint()
        defer { mint.stop() }
        let phrase = try Mnemonic.generate(wordCount: 12)
        try await WalletMeltRestoreTests.withStores(2) { stores in
            let wallet = try Wallet(store: stores[0], mnemonic: phrase)
            let keysets = try await wallet.refresh(mintURL: mint.url)
            #expect(keysets.contains { $0.active && $0.unit == .sat })
            try await WalletMeltRestoreTests.mint(wallet, 200, at: mint.url)
            #expect(try await wallet.balance(mintURL: mint.url) == 200)

            // To nutshell's wallet: it receives our V4 token.
            let token = try await wallet.send(amount: 50, mintURL: mint.url)
            let theirs = try await mint.wallet("bob", ["receive", try token.serialized()])
            #expect(theirs.status == 0, "\(theirs.stdout) \(theirs.stderr)")
            let afterV4 = try await wallet.balance(mintURL: mint.url)
            #expect(afterV4 <= 150 && afterV4 >= 148, "200 − 50 − input fees")
            // And a V3 (cashuA) token.
            let v3 = try await wallet.send(amount: 10, mintURL: mint.url)
            let theirsV3 = try await mint.wallet("bob", ["receive", try v3.serialized(.v3)])
            #expect(theirsV3.status == 0, "\(theirsV3.stdout) \(theirsV3.stderr)")

            // From nutshell's wallet: V4 and V3 tokens.
            let invoice = try await mint.wallet("carol", ["invoice", "100"])
            #expect(invoice.status == 0, "\(invoice.stderr)")
            for legacy in [false, true] {
                let sent = try await mint.wallet("carol", ["send", "20"] + (legacy ? ["--legacy"] : []))
                #expect(sent.status == 0, "\(sent.stderr)")
                let text = try #require(sent.stdout.split(whereSeparator: \.isWhitespace).map(String.init).first { $0.hasPrefix(legacy ? "cashuA" : "cashuB") })
                let before = try await wallet.balance(mintURL: mint.url)
                let received = try await wallet.receive(try Token(decoding: text))
                #expect(received >= 18 && received <= 20, "20 less the input fee")
                #expect(try await wallet.balance(mintURL: mint.url) == before + UInt128(received.rawValue))
            }

            // Melt an invoice at nutshell's mint (its fake backend pays any invoice with an amount).
            let bolt11 = try Invoice.Builder(amountMsat: 10_000, paymentHash: SecureRandom.bytes(32), paymentSecret: SecureRandom.bytes(32), description: "x")
                .sign(with: .random()).bolt11
            let quote = try await wallet.meltQuote(invoice: bolt11, mintURL: mint.url)
            let before = try await wallet.balance(mintURL: mint.url)
            let paid = try await wallet.melt(quote, mintURL: mint.url)
            #expect(paid.state == .paid)
            let after = try await wallet.balance(mintURL: mint.url)
            // (Compared by adding to `after`: a subtraction from `before` would trap on a wrong balance.)
            #expect(after + 10 < before + 1 && after + 10 + UInt128(quote.feeReserve.rawValue) + 2 >= before)

            // Restore from the phrase alone: exactly the unspent balance.
            let restored = try Wallet(store: stores[1], mnemonic: phrase)
            #expect(try await restored.restore(mintURL: mint.url)[.sat]?.rawValue == UInt64(after))
        }
    }

    /// The first `cashu…` token in nutshell's output.
    static func token(_ output: Interop.Output) throws -> Token {
        let text = try #require(output.stdout.split(whereSeparator: \.isWhitespace).map(String.init).first { $0.hasPrefix("cashuB") || $0.hasPrefix("cashuA") })
        return try Token(decoding: text)
    }

    @Test("P2PK both ways with nutshell's wallet: plain and blinded (NUT-28) locks to each other's keys; others are refused")
    func lockedTokens() async throws {
        let mint = try await NutshellMint()
        defer { mint.stop() }
        try await WalletMeltRestoreTests.withStores(2) { stores in
            let wallet = try Wallet(store: stores[0], mnemonic: try Mnemonic.generate(wordCount: 12))
            let stranger = try Wallet(store: stores[1], mnemonic: try Mnemonic.generate(wordCount: 12))
            try await WalletMeltRestoreTests.mint(wallet, 200, at: mint.url)
            // nutshell advertises NUT-20, so the quote was locked to a key of ours and minted with its signature.
            if try await wallet.client(mint.url).info().supports(nut: 20) {
                #expect(try await wallet.store.quotes(mintURL: MintClient(url: mint.url).url, kind: .mint).allSatisfy { $0.secretKey != nil })
            }
            let ourKey = try wallet.lockingPublicKey().hex

            // nutshell's wallet locks to our key (its default: a one-day locktime with no refund key).
            #expect(try await mint.wallet("carol", ["invoice", "100"]).status == 0)
            for form in ["P2PK", "P2BK"] {
                let sent = try await mint.wallet("carol", ["send", "16", "--lock", "\(form):\(ourKey)"])
                #expect(sent.status == 0, "\(sent.stdout) \(sent.stderr)")
                let token = try Self.token(sent)
                let firstProof = try #require(token.proofs.first, "\(form)")
                let secret = try WellKnownSecret(parsing: firstProof.secret)
                #expect(secret.kind == .p2pk && (secret.data == ourKey) == (form == "P2PK"))
                #expect(token.proofs.allSatisfy { ($0.p2pkEphemeralKey != nil) == (form == "P2BK") })
                do {
                    try await stranger.receive(token)
                    Issue.record("\(form): a wallet without the key received the token")
                } catch let error as WalletError { #expect(error.code == .locked) }
                let received = try await wallet.receive(token)
                #expect(received >= 14 && received <= 16, "\(form): 16 less the input fee")
            }

            // We lock to nutshell's key (`cashu locks` prints it as P2PK:KEY); its wallet receives, plain and blinded.
            let locks = try await mint.wallet("bob", ["locks"])
            let line = try #require(locks.stdout.split(separator: "\n").first { $0.contains("P2PK:") })
            let theirKey = try Point(hex: String(try #require(line.split(separator: ":").last)).trimmingCharacters(in: .whitespaces))
            for blinded in [false, true] {
                let before = try await mint.wallet("bob", ["balance"]).stdout
                let token = try await wallet.send(amount: 10, mintURL: mint.url, lock: SpendingLock(keys: [theirKey], blinded: blinded))
                do {
                    try await stranger.receive(token)
                    Issue.record("a wallet without the key received our locked token")
                } catch let error as WalletError { #expect(error.code == .locked) }
                let theirs = try await mint.wallet("bob", ["receive", try token.serialized()])
                #expect(theirs.status == 0 && !theirs.stdout.lowercased().contains("error"), "blinded \(blinded): \(theirs.stdout) \(theirs.stderr)")
                #expect(try await mint.wallet("bob", ["balance"]).stdout != before)
                // Spent at the mint: nutshell's wallet unlocked it.
                let states = try await wallet.client(mint.url).checkState(CheckStateRequest(ys: token.proofs.map { try $0.y }))
                #expect(states.states.allSatisfy { $0.state == .spent && $0.witness != nil })
            }
        }
    }

    @Test("the wallet's P2PK key is the one nutshell derives from the same seed (BIP-32 m/129372'/0'/0'/0')")
    func sameKeyAsNutshell() async throws {
        let phrase = try Mnemonic.generate(wordCount: 12)
        let store = try await WalletStore.open(path: ":memory:")
        let ours: String
        do {
            ours = try Wallet(store: store, mnemonic: phrase).lockingPublicKey().hex
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
        let theirs = try await Interop.python("""
            import sys
            from mnemonic import Mnemonic
            from bip32 import BIP32
            from cashu.core.crypto.secp import PrivateKey
            seed = Mnemonic("english").to_seed(sys.argv[1])
            key = PrivateKey(BIP32.from_seed(seed).get_privkey_from_path("m/129372'/0'/0'/0'"))
            print(key.public_key.format().hex())
            """, arguments: [phrase.phrase]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(ours == theirs)
    }
}
