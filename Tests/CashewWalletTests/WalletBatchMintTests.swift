import CashuCrypto
import CashuProtocol
import Foundation
import TestSupport
import Testing

@testable import CashewWallet

/// NUT-29 in the wallet: every paid quote of a mint is minted in one batch (each NUT-20 quote signed with its own
/// key), against our mint and against nutshell's.
@Suite("Wallet batch mint (NUT-29)")
struct WalletBatchMintTests {
    enum Peer: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case cashew, nutshell
        var testDescription: String { rawValue }
    }

    @Test("three paid quotes (each locked to its own key) are minted as one batch: one history entry, every quote ISSUED, spendable", arguments: Peer.allCases)
    func batch(_ peer: Peer) async throws {
        let cashew = peer == .cashew ? try await CashewMintProcess() : nil
        let nutshell = peer == .nutshell ? try await NutshellMint() : nil
        defer {
            _ = cashew?.stop()
            cashew?.removeData()
            nutshell?.stop()
        }
        let url = cashew?.url ?? nutshell!.url
        try await WalletMeltRestoreTests.withStores(2) { stores in
            let wallet = try Wallet(store: stores[0], mnemonic: try Mnemonic.generate(wordCount: 12))
            #expect(await wallet.batchSize(wallet.client(url)) == 100)
            var quotes = [MintQuoteBolt11Response]()
            for amount in [Amount(5), 3, 21] {
                let quote = try await wallet.requestMint(amount: amount, mintURL: url)
                #expect(quote.pubkey != nil, "NUT-20 lock")
                quotes.append(quote)
            }
            for q in quotes { try await wallet.waitUntilPaid(quote: q.quote, mintURL: url, timeout: .seconds(30), poll: .milliseconds(100)) }
            let minted = try await wallet.mintPaidQuotes(mintURL: url)
            #expect(minted[.sat] == 29)
            #expect(try await wallet.balance(mintURL: url) == 29)
            let history = try await stores[0].history().filter { $0.kind == "minted" }
            #expect(history.map(\.amount) == [29], "one batch, not three mints: \(history.map(\.amount))")
            for q in quotes {
                #expect(try await stores[0].quotes(mintURL: url, kind: .mint).first { $0.id == q.quote }?.state == MintQuoteState.issued.rawValue)
                #expect(try await wallet.client(url).mintQuote(id: q.quote).state == .issued)
            }
            // Nothing left to mint, and the proofs are good.
            #expect(try await wallet.mintPaidQuotes(mintURL: url).isEmpty)
            let other = try Wallet(store: stores[1], mnemonic: try Mnemonic.generate(wordCount: 12))
            let received = try await other.receive(try await wallet.send(amount: 20, mintURL: url))
            #expect(received >= 19 && received <= 20, "20 less any input fee")
        }
    }
}
