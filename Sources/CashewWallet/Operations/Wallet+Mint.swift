import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1

extension Wallet {
    /// Asks `mintURL` for a bolt11 mint quote of `amount` (the invoice to pay is in `request`).
    public func requestMint(amount: Amount, unit: CurrencyUnit = .sat, mintURL: String) async throws -> MintQuoteBolt11Response {
        let url = MintClient(url: mintURL).url
        _ = try await activeKeyset(url, unit: unit)
        // NUT-20 by default: a quote locked to a fresh key (one per quote, so quotes cannot be linked) can be minted
        // only by this wallet, even if the quote ID leaks.
        let key: Scalar? = try await client(mintURL).info().supports(nut: 20) ? Scalar.random() : nil
        let quote = try await client(mintURL).createMintQuote(MintQuoteBolt11Request(amount: amount, unit: unit, pubkey: try key?.publicPoint))
        if let key, quote.pubkey != (try key.publicPoint) {
            throw WalletError(.protocolViolation, "the mint did not lock the quote to the key asked for (NUT-20)")
        }
        // Kept, so that a paid invoice can still be minted if this process stops before minting.
        try await store.saveQuote(WalletQuote(
            id: quote.quote, mintURL: url, kind: .mint, request: quote.request, amount: amount, unit: unit, state: quote.state.rawValue, expiry: quote.expiry,
            secretKey: key))
        return quote
    }

    /// Mints every stored mint quote the mint now reports PAID (invoices paid after `cashew mint` stopped waiting);
    /// returns the amounts minted per unit.
    @discardableResult
    public func mintPaidQuotes(mintURL: String) async throws -> [CurrencyUnit: Amount] {
        let client = client(mintURL)
        var minted = [CurrencyUnit: Amount]()
        for quote in try await store.quotes(mintURL: client.url, kind: .mint, states: ["UNPAID", "PAID"]) {
            guard let state = try? await client.mintQuote(id: quote.id).state else { continue }
            try await store.setQuoteState(mintURL: client.url, id: quote.id, state: state.rawValue)
            guard state == .paid else { continue }
            // One quote that cannot be minted now (e.g. its answer was lost: recovery handles that) does not stop the rest.
            guard (try? await mint(quote: quote.id, amount: quote.amount, unit: quote.unit, mintURL: client.url)) != nil else { continue }
            minted[quote.unit] = minted[quote.unit, default: 0].adding(quote.amount) ?? minted[quote.unit]
        }
        return minted
    }

    /// Waits until the quote is paid (polling), up to `timeout`.
    public func waitUntilPaid(quote: String, mintURL: String, timeout: Duration = .seconds(600), poll: Duration = .milliseconds(500)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let state = try await client(mintURL).mintQuote(id: quote).state
            if state == .paid || state == .issued { return }
            guard clock.now < deadline else { throw WalletError(.timeout, "the invoice of quote \(quote) was not paid in time") }
            try await Task.sleep(for: poll)
        }
    }

    /// Mints the paid quote's `amount` into new proofs (NUT-04), journaled: if the answer is lost, the proofs are
    /// recovered later from the recorded outputs.
    @discardableResult
    public func mint(quote: String, amount: Amount, unit: CurrencyUnit = .sat, mintURL: String) async throws -> [Proof] {
        let client = client(mintURL)
        let keyset = try await activeKeyset(client.url, unit: unit)
        let holding = try await store.proofs(mintURL: client.url, unit: unit).map(\.proof.amount)
        let outputs = try await prepare(Denominations.keepSplit(amount, holding: holding), keyset: keyset)
        let operation = try await store.beginOperation(
            .mint, mintURL: client.url, data: try Self.json(Journal(quote: quote, outputs: [outputs.journal])))
        let response: MintResponse
        do {
            var request = MintRequest(quote: quote, outputs: outputs.messages)
            if let key = try await store.quotes(mintURL: client.url, kind: .mint).first(where: { $0.id == quote })?.secretKey {
                request = try request.signed(with: key)
            }
            response = try await client.mint(request)
        } catch let error as MintClientError where error.mintRefused {
            try await closeRefused(operation.id, client: client)
            if error.code == .quoteAlreadyIssued { try await store.setQuoteState(mintURL: client.url, id: quote, state: MintQuoteState.issued.rawValue) }
            throw error
        }
        let proofs = try outputs.proofs(response.signatures)
        try await store.finishOperation(
            operation.id, state: .done, inputsTo: .spent, newProofs: proofs, mintURL: client.url,
            history: HistoryEntry(kind: "minted", mintURL: client.url, unit: unit, amount: amount, createdAt: Self.now()))
        try await store.setQuoteState(mintURL: client.url, id: quote, state: MintQuoteState.issued.rawValue)
        return proofs
    }
}
