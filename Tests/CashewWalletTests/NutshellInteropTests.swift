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
        let mint = try NutshellMint()
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
            let theirs = try mint.wallet("bob", ["receive", try token.serialized()])
            #expect(theirs.status == 0, "\(theirs.stdout) \(theirs.stderr)")
            let afterV4 = try await wallet.balance(mintURL: mint.url)
            #expect(afterV4 <= 150 && afterV4 >= 148, "200 − 50 − input fees")
            // And a V3 (cashuA) token.
            let v3 = try await wallet.send(amount: 10, mintURL: mint.url)
            let theirsV3 = try mint.wallet("bob", ["receive", try v3.serialized(.v3)])
            #expect(theirsV3.status == 0, "\(theirsV3.stdout) \(theirsV3.stderr)")

            // From nutshell's wallet: V4 and V3 tokens.
            let invoice = try mint.wallet("carol", ["invoice", "100"])
            #expect(invoice.status == 0, "\(invoice.stderr)")
            for legacy in [false, true] {
                let sent = try mint.wallet("carol", ["send", "20"] + (legacy ? ["--legacy"] : []))
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
            #expect(after < before - 10 + 1 && after >= before - 10 - UInt128(quote.feeReserve.rawValue) - 2)

            // Restore from the phrase alone: exactly the unspent balance.
            let restored = try Wallet(store: stores[1], mnemonic: phrase)
            #expect(try await restored.restore(mintURL: mint.url)[.sat]?.rawValue == UInt64(after))
        }
    }
}
