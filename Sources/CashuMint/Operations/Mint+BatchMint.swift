import CashuCrypto
import CashuProtocol
import Secp256k1

extension Mint {
    /// The most quotes in one NUT-29 batch (advertised as `max_batch_size`).
    public static let maxBatchSize = 100

    /// `POST /v1/mint/quote/bolt11/check` (NUT-29): the quotes in request order, each refreshed as
    /// `GET /v1/mint/quote/bolt11/{id}` refreshes it; one unknown ID fails the whole request.
    public func checkMintQuotes(_ request: MintQuoteCheckRequest) async throws -> [MintQuoteBolt11Response] {
        guard !request.quotes.isEmpty else { throw CashuError(.transactionError, "no quotes provided") }
        guard request.quotes.count <= Self.maxBatchSize else { throw CashuError(.maxBatchSizeExceeded, "more than \(Self.maxBatchSize) quotes") }
        guard Set(request.quotes).count == request.quotes.count else { throw CashuError(.duplicateQuoteIDs) }
        var quotes = [MintQuoteBolt11Response]()
        for id in request.quotes {
            guard try await ledger({ try await store.mintQuote(id: id) }) != nil else {
                throw CashuError(.notAllowed, "quote not found: \(id.prefix(64))")
            }
        }
        for id in request.quotes { quotes.append(response(try await refreshedMintQuote(id: id))) }
        return quotes
    }

    /// `POST /v1/mint/bolt11/batch` (NUT-29): signs outputs worth exactly the quotes' total, each quote PAID and of
    /// one unit, each NUT-20 lock satisfied by its signature over all outputs; every quote is issued in one ledger
    /// transaction with the signatures, or none is.
    public func mintBatch(_ request: MintBatchRequest) async throws -> MintResponse {
        guard !settings.mintingDisabled else { throw CashuError(.mintingDisabled) }
        guard !request.quotes.isEmpty else { throw CashuError(.transactionError, "no quotes provided") }
        guard request.quotes.count <= Self.maxBatchSize else { throw CashuError(.maxBatchSizeExceeded, "more than \(Self.maxBatchSize) quotes") }
        guard Set(request.quotes).count == request.quotes.count else { throw CashuError(.duplicateQuoteIDs) }
        // A comma would make the operation's recorded quote list ambiguous; no quote of this mint has one.
        guard !request.quotes.contains(where: { $0.contains(",") }) else { throw CashuError(.notAllowed, "quote not found") }
        try checkCounts(inputs: 0, outputs: request.outputs.count)
        guard !request.outputs.isEmpty else { throw CashuError(.transactionError, "no outputs provided.") }
        if let amounts = request.quoteAmounts, amounts.count != request.quotes.count {
            throw CashuError(.transactionError, "quote_amounts must have one entry per quote")
        }
        if let signatures = request.signatures, signatures.count != request.quotes.count {
            throw CashuError(.transactionError, "signatures must have one entry per quote")
        }
        var quotes = [MintQuoteRecord]()
        for id in request.quotes {
            guard try await ledger({ try await store.mintQuote(id: id) }) != nil else { throw CashuError(.notAllowed, "quote not found: \(id.prefix(64))") }
        }
        for id in request.quotes { quotes.append(try await refreshedMintQuote(id: id)) }
        guard quotes.allSatisfy({ $0.method == "bolt11" }) else { throw CashuError(.notAllowed, "every quote must be a bolt11 quote") }
        let unit = quotes[0].unit
        guard quotes.allSatisfy({ $0.unit == unit }) else { throw CashuError(.multipleUnits, "the quotes are of several units") }
        guard !settings.mint(unit).disabled else { throw CashuError(.mintingDisabled, "minting \(unit) is disabled") }
        let now = clock.now()
        var total = Amount(0)
        for (i, quote) in quotes.enumerated() {
            switch quote.state {
            case .unpaid: throw quote.expiry <= now ? CashuError(.quoteExpired) : CashuError(.quoteNotPaid)
            case .issued: throw CashuError(.quoteAlreadyIssued)
            case .paid: break
            }
            if let amounts = request.quoteAmounts, amounts[i] != quote.amount {
                throw CashuError(.transactionUnbalanced, "quote_amounts[\(i)] is not the quote's amount \(quote.amount)")
            }
            let signature = request.signatures?[i] ?? nil
            if let pubkeyHex = quote.pubkey {
                guard signature != nil else { throw CashuError(.mintRequestSignatureInvalid, "quote \(i) requires a signature") }
                guard let pubkey = try? Point(hex: pubkeyHex), request.request(forQuote: i).hasValidSignature(for: pubkey) else {
                    throw CashuError(.mintRequestSignatureInvalid)
                }
            } else if signature != nil {
                throw CashuError(.mintRequestSignatureInvalid, "quote \(i) has no key, so it takes no signature")
            }
            guard let sum = total.adding(quote.amount) else { throw CashuError(.amountOutsideLimit, "the quotes' total overflows") }
            total = sum
        }
        let outputs = try verifyOutputs(request.outputs, unit: unit)
        guard outputs.total == total else { throw CashuError(.transactionUnbalanced, "amount to mint does not match the quotes' total") }
        let (signatures, records) = try await signConcurrently(request.outputs)
        let operation = OperationRecord(
            id: QuoteID.make(now: now), kind: .mint, quoteID: request.quotes.joined(separator: ","), unit: unit, fee: 0, createdAt: now)
        do {
            try await store.issueMintQuotes(ids: request.quotes, outputs: records, operation: operation)
        } catch let error as MintStoreError where error.code == .quoteState {
            throw CashuError(.quoteAlreadyIssued)
        } catch let error as MintStoreError {
            throw cashuError(error)
        }
        for _ in quotes { MintMetrics.mintQuote(unit, "issued") }
        return MintResponse(signatures: signatures)
    }
}
