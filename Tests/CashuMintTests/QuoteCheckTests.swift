import CashewSQLiteStore
import CashuCrypto
import CashuMint
import CashuProtocol
import Foundation
import Logging
import Testing

/// A wallet checking its unpaid mint quote makes the mint ask the payment backend, so a payment whose event was
/// missed never strands the quote; polling asks the backend at most once per interval, and a backend that cannot
/// be asked leaves the quote as it is.
@Suite("Mint quote checks reconcile with the backend")
struct QuoteCheckTests {
    @Test("a missed payment is found by a quote check; polling is throttled; a failing backend is not an error")
    func reconcile() async throws {
        let store = try await SQLiteMintStore.open(path: ":memory:", logger: Logger(label: "test"))
        try await store.migrate()
        let backend = ScriptedBackend()
        var settings = MintSettings()
        settings.quoteCheckInterval = .milliseconds(300)
        // No invoice listener runs here: the node's paid events reach no one, as when the listener missed them.
        let mint = try Mint(store: store, backend: backend, master: ExtendedPrivateKey(seed: Array("checks".utf8)), settings: settings, logger: Logger(label: "test"))
        try await mint.start()
        let quote = try await mint.createMintQuote(MintQuoteBolt11Request(amount: 8, unit: .sat))

        backend.setInvoices(status: .unpaid)
        #expect(try await mint.mintQuote(id: quote.quote).state == .unpaid)
        #expect(backend.invoiceStatusCalls == 1)
        // Paid meanwhile; a wallet polling hard asks the backend no more than once per interval.
        backend.setInvoices(status: .paid)
        for _ in 0..<50 { _ = try await mint.mintQuote(id: quote.quote) }
        #expect(backend.invoiceStatusCalls <= 2, "\(backend.invoiceStatusCalls) backend calls for 50 checks")
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await mint.mintQuote(id: quote.quote).state == .paid)
        // Once PAID the backend is not asked again.
        let calls = backend.invoiceStatusCalls
        try await Task.sleep(for: .milliseconds(400))
        _ = try await mint.mintQuote(id: quote.quote)
        #expect(backend.invoiceStatusCalls == calls)

        // A backend that cannot be asked: the quote is answered as the ledger has it.
        let other = try await mint.createMintQuote(MintQuoteBolt11Request(amount: 8, unit: .sat))
        backend.setInvoices(status: nil, fails: true)
        #expect(try await mint.mintQuote(id: other.quote).state == .unpaid)
        try await store.close()
    }
}
