import CashuCrypto
import CashuProtocol
import Secp256k1

extension Mint {
    /// `POST /v1/mint/quote/bolt11` (NUT-04, NUT-23): an invoice for `amount`, and a quote to mint against it.
    public func createMintQuote(_ request: MintQuoteBolt11Request) async throws -> MintQuoteBolt11Response {
        let settings = self.settings
        guard !settings.mintingDisabled else { throw CashuError(.mintingDisabled) }
        guard settings.units.contains(request.unit), keysets.active(unit: request.unit) != nil else {
            throw CashuError(.unitNotSupported, "unit '\(request.unit.rawValue.prefix(32))' not supported in any keyset.")
        }
        let method = settings.mint(request.unit)
        guard !method.disabled else { throw CashuError(.mintingDisabled, "minting \(request.unit) is disabled") }
        guard request.amount >= method.min, request.amount <= method.max else {
            throw CashuError(.amountOutsideLimit, "amount must be between \(method.min) and \(method.max)")
        }
        if request.description != nil, !method.option {
            throw CashuError(.notAllowed, "this mint takes no invoice descriptions")
        }
        if let description = request.description, description.utf8.count > 639 {
            // BOLT11 fields hold at most 1023 five-bit words: 639 bytes.
            throw CashuError(.notAllowed, "description longer than 639 bytes")
        }
        if settings.requireQuotePubkey, request.pubkey == nil {
            // NUT-20: only the holder of the quote's key can mint it, so a leaked quote ID cannot be stolen.
            throw CashuError(.pubkeyRequired, "this mint requires a pubkey on every mint quote (NUT-20)")
        }
        try await checkIssuance(amount: request.amount, unit: request.unit)
        let backend = backend(for: request.unit)
        try await requireBackend(backend)
        let now = clock.now()
        let invoice: CreatedInvoice
        do {
            invoice = try await backend.createInvoice(
                amountMsat: try backend.conversion.msat(request.amount, request.unit), description: request.description,
                expiry: settings.mintQuoteExpiry)
        } catch let error as PaymentBackendError {
            throw MintUnavailableError.lightning(error)
        }
        let quote = MintQuoteRecord(
            id: QuoteID.make(now: now), method: "bolt11", request: invoice.bolt11, paymentHash: invoice.paymentHash,
            amount: request.amount, unit: request.unit, state: .unpaid, pubkey: request.pubkey?.hex,
            expiry: expiry(settings.mintQuoteExpiry, from: now), createdAt: now)
        try await ledger { try await store.addMintQuote(quote) }
        MintMetrics.mintQuote(quote.unit, "created")
        return response(quote)
    }

    /// `GET /v1/mint/quote/bolt11/{id}`: the quote, after asking the backend whether an unpaid invoice was paid.
    public func mintQuote(id: String) async throws -> MintQuoteBolt11Response {
        response(try await refreshedMintQuote(id: id))
    }

    /// A quote as the API gives it, with NUT-04's `amount_paid`, `amount_issued` and `updated_at` beside the
    /// state: a bolt11 quote is paid and issued whole, and it last changed when it was issued, paid or created.
    func response(_ quote: MintQuoteRecord) -> MintQuoteBolt11Response {
        let paid = quote.state == .paid || quote.state == .issued
        return MintQuoteBolt11Response(
            quote: quote.id, request: quote.request, amount: quote.amount, unit: quote.unit, state: quote.state,
            expiry: quote.expiry, pubkey: quote.pubkey.flatMap { try? Point(hex: $0) }, method: quote.method,
            amountPaid: paid ? quote.amount : Amount(0), amountIssued: quote.state == .issued ? quote.amount : Amount(0),
            updatedAt: max(quote.createdAt, quote.paidAt ?? 0, quote.issuedAt ?? 0))
    }

    /// The quote, marked PAID first if the backend reports its invoice paid: a payment whose event the listener
    /// missed never strands a paid quote. At most once per `quoteCheckInterval` per quote, so that polling cannot
    /// flood the backend; a backend that cannot be asked leaves the quote as the ledger has it.
    func refreshedMintQuote(id: String) async throws -> MintQuoteRecord {
        guard var quote = try await ledger({ try await store.mintQuote(id: id) }) else { throw CashuError(.notAllowed, "quote not found") }
        guard quote.state == .unpaid, quoteChecks.claim(quote.id) else { return quote }
        let status: InvoiceStatus
        do {
            status = try await backend(for: quote.unit).invoiceStatus(quote.paymentHash)
        } catch {
            logger.warning("could not ask the payment backend about a mint quote", metadata: ["quote": "\(Redacted(quote.id))", "error": "\(error)"])
            return quote
        }
        if status == .paid {
            if try await ledger({ try await store.markMintQuotePaid(id: quote.id, at: clock.now()) }) {
                MintMetrics.mintQuote(quote.unit, "paid")
                logger.info("mint quote paid (found by a quote check)", metadata: ["quote": "\(Redacted(quote.id))"])
            }
            quote = try await ledger({ try await store.mintQuote(id: id) }) ?? quote
        }
        return quote
    }

    /// Marks the quote of a paid invoice PAID (the backend's stream of paid invoices calls this).
    public func invoicePaid(paymentHash: PaymentHash) async throws {
        guard let quote = try await ledger({ try await store.mintQuote(paymentHash: paymentHash) }), quote.state == .unpaid else { return }
        if try await ledger({ try await store.markMintQuotePaid(id: quote.id, at: clock.now()) }) {
            MintMetrics.mintQuote(quote.unit, "paid")
            logger.info("mint quote paid", metadata: ["quote": "\(Redacted(quote.id))"])
        }
    }

    /// `POST /v1/mint/bolt11` (NUT-04): signs outputs worth exactly the paid quote's amount, once.
    ///
    /// PAID → ISSUED and the signatures are one ledger transaction, conditional on the quote still being PAID, so
    /// concurrent requests for one quote issue exactly once.
    public func mint(_ request: MintRequest) async throws -> MintResponse {
        guard !settings.mintingDisabled else { throw CashuError(.mintingDisabled) }
        try checkCounts(inputs: 0, outputs: request.outputs.count)
        guard !request.outputs.isEmpty else { throw CashuError(.transactionError, "no outputs provided.") }
        let quote = try await refreshedMintQuote(id: request.quote)
        guard !settings.mint(quote.unit).disabled else { throw CashuError(.mintingDisabled, "minting \(quote.unit) is disabled") }
        switch quote.state {
        case .unpaid:
            throw quote.expiry <= clock.now() ? CashuError(.quoteExpired) : CashuError(.quoteNotPaid)
        case .issued:
            throw CashuError(.quoteAlreadyIssued)
        case .paid:
            break
        }
        if let pubkeyHex = quote.pubkey {
            // NUT-20: a locked quote mints only with a signature by its key.
            guard request.signature != nil else { throw CashuError(.mintRequestSignatureInvalid, "this quote requires a signature") }
            guard let pubkey = try? Point(hex: pubkeyHex), request.hasValidSignature(for: pubkey) else {
                throw CashuError(.mintRequestSignatureInvalid)
            }
        }
        let outputs = try verifyOutputs(request.outputs, unit: quote.unit)
        guard outputs.total == quote.amount else {
            throw CashuError(.transactionUnbalanced, "amount to mint does not match quote amount")
        }
        let (signatures, records) = try await signConcurrently(request.outputs)
        let operation = OperationRecord(id: QuoteID.make(now: clock.now()), kind: .mint, quoteID: quote.id, unit: quote.unit, fee: 0, createdAt: clock.now())
        do {
            try await store.issueMintQuote(id: quote.id, outputs: records, operation: operation)
        } catch let error as MintStoreError where error.code == .quoteState {
            // Someone else issued it between our read and our write.
            throw CashuError(.quoteAlreadyIssued)
        } catch let error as MintStoreError {
            throw cashuError(error)
        }
        MintMetrics.mintQuote(quote.unit, "issued")
        return MintResponse(signatures: signatures)
    }
}
