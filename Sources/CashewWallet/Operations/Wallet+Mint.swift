import CashewEncoding
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
    /// returns the amounts minted per unit. A mint that offers NUT-29 gets them in one batch per unit (at most its
    /// `max_batch_size` quotes each); a batch it refuses is retried quote by quote, so one bad quote does not stop
    /// the rest.
    @discardableResult
    public func mintPaidQuotes(mintURL: String) async throws -> [CurrencyUnit: Amount] {
        let client = client(mintURL)
        let stored = try await store.quotes(mintURL: client.url, kind: .mint, states: ["UNPAID", "PAID"])
        guard !stored.isEmpty else { return [:] }
        let batchSize = await batchSize(client)
        var states = [String: MintQuoteState]()
        if batchSize > 1 {
            for chunk in stored.chunks(of: batchSize) {
                guard let checked = try? await client.checkMintQuotes(MintQuoteCheckRequest(quotes: chunk.map(\.id))), checked.count == chunk.count else { continue }
                for (quote, answer) in zip(chunk, checked) where answer.quote == quote.id { states[quote.id] = answer.state }
            }
        }
        var paid = [WalletQuote]()
        for quote in stored {
            var state = states[quote.id]
            if state == nil { state = try? await client.mintQuote(id: quote.id).state }
            guard let state else { continue }
            try await store.setQuoteState(mintURL: client.url, id: quote.id, state: state.rawValue)
            if state == .paid { paid.append(quote) }
        }
        var minted = [CurrencyUnit: Amount]()
        func count(_ quotes: some Sequence<WalletQuote>) {
            for q in quotes { minted[q.unit] = minted[q.unit, default: 0].adding(q.amount) ?? minted[q.unit] }
        }
        for unit in Set(paid.map(\.unit)).sorted(by: { $0.rawValue < $1.rawValue }) {
            for chunk in paid.filter({ $0.unit == unit }).chunks(of: max(batchSize, 1)) {
                if chunk.count > 1, (try? await mintBatch(Array(chunk), unit: unit, mintURL: client.url)) != nil {
                    count(chunk)
                    continue
                }
                for quote in chunk {
                    // One quote that cannot be minted now (e.g. its answer was lost: recovery handles that) does not stop the rest.
                    guard (try? await mint(quote: quote.id, amount: quote.amount, unit: quote.unit, mintURL: client.url)) != nil else { continue }
                    count([quote])
                }
            }
        }
        return minted
    }

    /// The most quotes the mint takes in one NUT-29 batch of bolt11 quotes; 1 when it offers no batches.
    func batchSize(_ client: MintClient) async -> Int {
        guard let info = try? await client.info(), info.supports(nut: 29), let settings = info.nuts?["29"] else { return 1 }
        if let methods = settings["methods"]?.arrayValue, !methods.contains(.string("bolt11")) { return 1 }
        var advertised: Int?
        if case let .number(text)? = settings["max_batch_size"] { advertised = Int(text) }
        return max(1, min(advertised ?? 100, 100))
    }

    /// Mints several paid quotes of one unit in one NUT-29 request, journaled as one operation (recovered like a
    /// single mint if the answer is lost). NUT-20 locked quotes are signed over all outputs, each with its key.
    @discardableResult
    public func mintBatch(_ quotes: [WalletQuote], unit: CurrencyUnit, mintURL: String) async throws -> [Proof] {
        let client = client(mintURL)
        guard let total = Amount.sum(quotes.map(\.amount)) else { throw WalletError(.invalidInput, "the quotes' total overflows") }
        let keyset = try await activeKeyset(client.url, unit: unit)
        let holding = try await store.proofs(mintURL: client.url, unit: unit).map(\.proof.amount)
        let outputs = try await prepare(Denominations.keepSplit(total, holding: holding), keyset: keyset)
        let ids = quotes.map(\.id)
        let operation = try await store.beginOperation(
            .mint, mintURL: client.url, data: try Self.json(Journal(quote: ids.joined(separator: ","), outputs: [outputs.journal])))
        var request = MintBatchRequest(quotes: ids, quoteAmounts: quotes.map(\.amount), outputs: outputs.messages)
        if quotes.contains(where: { $0.secretKey != nil }) {
            request.signatures = try quotes.indices.map { i in try quotes[i].secretKey.map { try request.request(forQuote: i).signed(with: $0).signature ?? "" } }
        }
        let response: MintResponse
        do {
            response = try await client.mintBatch(request)
        } catch let error as MintClientError where error.mintRefused {
            try await closeRefused(operation.id, client: client)
            throw error
        }
        let proofs = try outputs.proofs(response.signatures)
        try await store.finishOperation(
            operation.id, state: .done, inputsTo: .spent, newProofs: proofs, mintURL: client.url,
            history: HistoryEntry(kind: "minted", mintURL: client.url, unit: unit, amount: total, createdAt: Self.now()))
        for id in ids { try await store.setQuoteState(mintURL: client.url, id: id, state: MintQuoteState.issued.rawValue) }
        return proofs
    }

    /// Waits until the quote is paid, up to `timeout`: through a NUT-17 subscription when the mint offers one for the
    /// quote's unit, polling every `poll` otherwise (or when the websocket fails).
    public func waitUntilPaid(quote: String, mintURL: String, timeout: Duration = .seconds(600), poll: Duration = .milliseconds(500)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let unit = try await store.quotes(mintURL: client(mintURL).url, kind: .mint).first { $0.id == quote }?.unit ?? .sat
        if let info = try? await client(mintURL).info(), MintSubscription.offered(info, kind: "bolt11_mint_quote", unit: unit) {
            let paid = await MintSubscription.wait(mintURL: client(mintURL).url, kind: "bolt11_mint_quote", filter: quote, timeout: timeout) { payload in
                ["PAID", "ISSUED"].contains(payload["state"]?.stringValue ?? "")
            }
            if paid { return }
        }
        while true {
            let state = try await client(mintURL).mintQuote(id: quote).state
            if state == .paid || state == .issued { return }
            guard clock.now < deadline else { throw WalletError(.timeout, "the invoice of quote \(quote) was not paid in time") }
            // Never past the deadline: the last look is at it.
            try await Task.sleep(for: min(poll, deadline - clock.now))
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
