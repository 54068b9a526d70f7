import Bolt11
import CashuCrypto
import CashuProtocol
import Secp256k1

extension Mint {
    /// `POST /v1/melt/quote/bolt11` (NUT-05, NUT-23): what paying an invoice costs. Invoices of this mint's own
    /// quotes are settled internally, without Lightning and without a fee.
    public func createMeltQuote(_ request: MeltQuoteBolt11Request) async throws -> MeltQuoteBolt11Response {
        let settings = self.settings
        guard !settings.meltingDisabled else { throw CashuError(.notAllowed, "melting is disabled") }
        guard settings.units.contains(request.unit) else {
            throw CashuError(.unitNotSupported, "unit '\(request.unit.rawValue.prefix(32))' not supported in any keyset.")
        }
        let method = settings.melt(request.unit)
        guard !method.disabled else { throw CashuError(.notAllowed, "melting \(request.unit) is disabled") }
        let invoice: Invoice
        do { invoice = try Invoice(parsing: request.request) } catch { throw CashuError(.notAllowed, "invalid bolt11 invoice: \(error)") }
        let backend = backend(for: request.unit)
        guard invoice.network == backend.network else {
            throw CashuError(.notAllowed, "the invoice is for network \(invoice.network); this mint pays on \(backend.network)")
        }
        let amountMsat: UInt64
        let partial: Bool
        switch (invoice.amountMsat, request.options?.amountless?.amountMsat, request.options?.mpp?.amount) {
        case (_, _?, _?): throw CashuError(.notAllowed, "options.amountless and options.mpp exclude each other")
        case let (invoiceMsat?, nil, nil): (amountMsat, partial) = (invoiceMsat, false)
        case let (invoiceMsat?, requested?, nil):
            guard invoiceMsat == requested else { throw CashuError(.amountMismatch) }
            (amountMsat, partial) = (invoiceMsat, false)
        case let (nil, requested?, nil):
            guard method.option else { throw CashuError(.amountlessInvoiceNotSupported, "this mint does not pay amountless invoices") }
            guard backend.paysAmountless else { throw CashuError(.amountlessInvoiceNotSupported, "this mint's Lightning backend cannot pay amountless invoices") }
            guard requested > 0 else { throw CashuError(.amountOutsideLimit, "amount must be positive") }
            (amountMsat, partial) = (requested, false)
        case (nil, nil, nil): throw CashuError(.amountlessInvoiceNotSupported, "amountless invoice: give options.amountless.amount_msat")
        case (nil, nil, _?): throw CashuError(.amountlessInvoiceNotSupported, "a multi-path part needs an invoice with an amount")
        case let (invoiceMsat?, nil, part?):
            // NUT-15: this mint pays `part` msat of the invoice; other nodes pay the rest.
            guard backend.paysMultiPath else { throw CashuError(.notAllowed, "this mint's Lightning backend cannot pay part of an invoice (NUT-15)") }
            guard part > 0 else { throw CashuError(.amountOutsideLimit, "options.mpp.amount must be positive") }
            guard part <= invoiceMsat else { throw CashuError(.amountMismatch, "options.mpp.amount (\(part) msat) exceeds the invoice's \(invoiceMsat) msat") }
            (amountMsat, partial) = (part, true)
        }
        let now = clock.now()
        guard !invoice.isExpired(now: now) else { throw CashuError(.notAllowed, "invoice has expired") }
        let paymentHash = try PaymentHash(bytes: invoice.paymentHash)
        let amount: Amount
        let feeReserve: Amount
        if let own = try await ledger({ try await store.mintQuote(paymentHash: paymentHash) }) {
            // Settled inside the ledger, in full: there is no Lightning payment for other parts to join.
            guard !partial else { throw CashuError(.notAllowed, "an invoice of this mint is settled internally and cannot be paid in parts") }
            guard own.unit == request.unit else { throw CashuError(.inputOutputUnitMismatch, "the invoice belongs to a \(own.unit) quote") }
            guard own.state == .unpaid else { throw CashuError(.invoiceAlreadyPaid) }
            (amount, feeReserve) = (own.amount, 0)
        } else {
            try await requireBackend(backend)
            amount = try backend.conversion.amount(msat: amountMsat, request.unit)
            var reserveMsat = settings.feeReserve.reserveMsat(for: amountMsat)
            do {
                if let own = try await backend.feeReserveMsat(invoice: invoice, amountMsat: amountMsat) { reserveMsat = max(reserveMsat, own) }
            } catch let error as PaymentBackendError {
                throw MintUnavailableError.lightning(error)
            }
            feeReserve = try backend.conversion.amount(msat: reserveMsat, request.unit)
        }
        guard amount >= method.min, amount <= method.max else {
            throw CashuError(.amountOutsideLimit, "amount must be between \(method.min) and \(method.max)")
        }
        let quote = MeltQuoteRecord(
            id: QuoteID.make(now: now), method: "bolt11", request: invoice.bolt11, paymentHash: paymentHash,
            unit: request.unit, amount: amount, feeReserve: feeReserve, amountMsat: amountMsat, state: .unpaid,
            expiry: expiry(settings.meltQuoteExpiry, from: now), createdAt: now)
        try await ledger { try await store.addMeltQuote(quote) }
        MintMetrics.meltQuote(quote.unit, "created")
        return response(quote, change: nil)
    }

    /// `GET /v1/melt/quote/bolt11/{id}`: the quote; a pending one is first settled if the backend knows the outcome.
    public func meltQuote(id: String) async throws -> MeltQuoteBolt11Response {
        guard var quote = try await ledger({ try await store.meltQuote(id: id) }) else { throw CashuError(.notAllowed, "quote not found") }
        // A pending melt asks the backend, at most once per quote-check interval (polling must not flood it).
        if quote.state == .pending, quoteChecks.claim("melt:" + quote.id) {
            do {
                try await resolvePending(quote, resend: false)
            } catch {
                logger.warning("could not ask the payment backend about a pending melt", metadata: ["quote": "\(Redacted(quote.id))", "error": "\(error)"])
            }
            quote = try await ledger({ try await store.meltQuote(id: id) }) ?? quote
        }
        return response(quote, change: try await change(of: quote))
    }

    func response(_ quote: MeltQuoteRecord, change: [BlindSignature]?) -> MeltQuoteBolt11Response {
        MeltQuoteBolt11Response(
            quote: quote.id, request: quote.request, amount: quote.amount, unit: quote.unit, feeReserve: quote.feeReserve,
            state: quote.state, expiry: quote.expiry, paymentPreimage: quote.paymentPreimage, change: change, method: quote.method)
    }

    /// The change signatures of a paid melt, in the order of its blank outputs.
    func change(of quote: MeltQuoteRecord) async throws -> [BlindSignature]? {
        guard quote.state == .paid, let blank = quote.blankOutputs, !blank.isEmpty else { return nil }
        let keys = blank.map(\.blindedSecret.hex)
        let found = try await ledger { try await store.meltChange(quoteID: quote.id) }
        let change = try keys.compactMap { try found[$0]?.blindSignature }
        return change.isEmpty ? nil : change
    }

    /// `POST /v1/melt/bolt11` (NUT-05, NUT-08): pays the quote's invoice with the inputs.
    ///
    /// The inputs become pending (in the ledger, atomically with the quote going PENDING) before anything is paid;
    /// they become spent when the payment succeeds and are released when it definitely fails. When the outcome is
    /// unknown they stay pending (fail closed) until the backend can tell. With `prefer_async` the answer is
    /// PENDING at once and the payment continues in the background.
    public func melt(_ request: MeltRequest) async throws -> MeltQuoteBolt11Response {
        guard !settings.meltingDisabled else { throw CashuError(.notAllowed, "melting is disabled") }
        let blank = request.outputs ?? []
        try checkCounts(inputs: request.inputs.count, outputs: blank.count)
        guard let quote = try await ledger({ try await store.meltQuote(id: request.quote) }) else { throw CashuError(.notAllowed, "quote not found") }
        switch quote.state {
        case .pending: throw CashuError(.quotePending, "melt quote is not unpaid: pending")
        case .paid: throw CashuError(.invoiceAlreadyPaid, "melt quote is not unpaid: paid")
        case .unpaid: break
        }
        guard !settings.melt(quote.unit).disabled else { throw CashuError(.notAllowed, "melting \(quote.unit) is disabled") }
        guard quote.expiry > clock.now() else { throw CashuError(.quoteExpired) }
        let inputs = try verifyInputs(request.inputs)
        guard inputs.unit == quote.unit else { throw CashuError(.inputOutputUnitMismatch, "proof unit \(inputs.unit) does not match quote unit \(quote.unit)") }
        try verifyBlankOutputs(blank, unit: quote.unit)
        guard let needed = quote.amount.adding(quote.feeReserve).flatMap({ $0.adding(inputs.fee) }), inputs.total >= needed else {
            let needed = quote.amount.adding(quote.feeReserve).flatMap({ $0.adding(inputs.fee) }).map { "\($0)" } ?? "more than 2^64"
            throw CashuError(.transactionUnbalanced, "not enough inputs provided for melt. Provided: \(inputs.total), needed: \(needed)")
        }
        try SpendingConditionVerifier.verify(inputs: request.inputs, outputs: blank, quoteID: quote.id, now: clock.time())
        // Change is signed only after the payment; a blank output signed before would then fail the ledger write
        // with the money already gone. Refuse it now, while nothing has moved.
        if !blank.isEmpty {
            let signed = try await ledger { try await store.signatures(blindedMessages: blank.map(\.blindedSecret.hex)) }
            guard signed.isEmpty else { throw CashuError(.outputsAlreadySigned, "a blank output was already signed") }
        }
        let settlesInternally = try await ledger { try await store.mintQuote(paymentHash: quote.paymentHash) } != nil
        if !settlesInternally {
            // Paid over Lightning: while the backend is down nothing is reserved (the payment could not even start).
            try await requireBackend(backend(for: quote.unit))
        }
        let operation = OperationRecord(id: QuoteID.make(now: clock.now()), kind: .melt, quoteID: quote.id, unit: quote.unit, fee: inputs.fee, createdAt: clock.now())
        do {
            try await store.beginMelt(
                quoteID: quote.id, inputs: inputs.records, blankOutputs: blank, inputAmount: inputs.total, inputFee: inputs.fee, operation: operation,
                paymentBackend: settlesInternally ? nil : backend(for: quote.unit).name)
        } catch let error as MintStoreError where error.code == .quoteState {
            throw CashuError(.quotePending, "the quote is being paid by another request")
        } catch let error as MintStoreError {
            throw cashuError(error)
        }
        guard let pending = try await ledger({ try await store.meltQuote(id: quote.id) }) else { throw CashuError(.notAllowed, "quote not found") }
        if request.preferAsync == true, queuedMelts.enqueue(pending) {
            return response(pending, change: nil)
        }
        let started = ContinuousClock.now
        let settled = try await pay(pending)
        MintMetrics.meltDuration(quote.unit, state: settled.state.rawValue, since: started)
        if settled.state == .unpaid { throw CashuError(.lightningPaymentFailed) }
        return response(settled, change: try await change(of: settled))
    }

    /// Blank outputs (NUT-08): known active keysets of the unit, no `B_` twice. Their amounts are ignored.
    func verifyBlankOutputs(_ outputs: [BlindedMessage], unit: CurrencyUnit) throws {
        var seen = Set<Point>()
        for output in outputs {
            guard let entry = keysets.entry(output.id) else { throw CashuError.keysetNotFound(output.id) }
            guard entry.record.active else { throw CashuError(.keysetInactive) }
            guard entry.record.unit == unit else { throw CashuError(.inputOutputUnitMismatch, "output unit \(entry.record.unit) does not match quote unit \(unit)") }
            guard seen.insert(output.blindedSecret).inserted else { throw CashuError(.duplicateOutputs) }
        }
    }

    /// Pays a PENDING melt and settles the ledger by the outcome; returns the quote as it then stands.
    ///
    /// `claim`: the melt waited in a queue, so the attempt `beginMelt` stamped may have been taken over (recovery sends
    /// a payment the backend has no record of once it is old enough). The attempt is then claimed first, and the
    /// melt left alone if it is no longer PENDING or someone else has sent it.
    func pay(_ quote: MeltQuoteRecord, claim: Bool = false) async throws -> MeltQuoteRecord {
        if let own = try await ledger({ try await store.mintQuote(paymentHash: quote.paymentHash) }) {
            try await settleInternally(quote, mintQuote: own)
        } else if claim {
            let now = clock.now()
            // Claimed from the attempt `beginMelt` stamped (the queued record's): if recovery has sent it since, the
            // attempt has moved on and the claim fails.
            guard let current = try await ledger({ try await store.meltQuote(id: quote.id) }), current.state == .pending,
                  try await ledger({ try await store.claimPaymentAttempt(quoteID: quote.id, from: quote.paymentAttemptAt, to: now) })
            else {
                logger.info("queued melt already handled elsewhere", metadata: ["quote": "\(Redacted(quote.id))"])
                return try await ledger({ try await store.meltQuote(id: quote.id) }) ?? quote
            }
            try await settle(current, await send(current), attempt: now)
        } else {
            try await settle(quote, await send(quote), attempt: quote.paymentAttemptAt)
        }
        return try await ledger({ try await store.meltQuote(id: quote.id) }) ?? quote
    }

    /// Hands a PENDING melt's payment to the backend; an error becomes `.unknown` (the inputs stay pending).
    func send(_ quote: MeltQuoteRecord) async -> PaymentResult {
        let backend = backend(for: quote.unit)
        do {
            let invoice = try Invoice(parsing: quote.request)
            let maxFeeMsat = try backend.conversion.msat(quote.feeReserve, quote.unit)
            return try await backend.pay(invoice: invoice, amountMsat: quote.amountMsat, maxFeeMsat: maxFeeMsat)
        } catch {
            // The backend did not answer: the payment may or may not be under way. Keep the inputs pending.
            logger.warning("payment outcome unknown", metadata: ["quote": "\(Redacted(quote.id))", "error": "\(error)"])
            return .unknown
        }
    }

    /// How long after a payment attempt the backend's "no record" means the payment never reached it: at least
    /// `meltResendAfter`, and always beyond the backend's own pay timeout (a call still under way, a node still
    /// looking for a route, leaves no record yet).
    func resendWait(_ backend: any PaymentBackend) -> UInt64 {
        let wait = max(settings.meltResendAfter, backend.payTimeout + .seconds(5))
        return UInt64(max(1, wait.components.seconds))
    }

    /// Asks the backend about a PENDING melt and settles it if the outcome is known (start-up recovery, maintenance
    /// and quote checks use this). Returns the outcome.
    ///
    /// When the backend has no record of the payment, it never reached the backend (the process died before the
    /// call, the call was lost, a queued melt never started) or a call is still on its way. Once the attempt is
    /// older than `resendWait`, the attempt is claimed (one process wins) and the payment sent again through the
    /// same backend: a backend pays a hash at most once, and its answer settles the melt. A melt whose attempt was
    /// not recorded (begun before the upgrade that records it) or that another backend took is never re-sent.
    /// `resend`: whether this caller may send the payment again (the maintenance pass does; a wallet's quote check
    /// and start-up recovery do not, so that neither waits for a payment call).
    @discardableResult
    public func resolvePending(_ quote: MeltQuoteRecord, resend: Bool = true) async throws -> PaymentResult {
        if let own = try await ledger({ try await store.mintQuote(paymentHash: quote.paymentHash) }) {
            try await settleInternally(quote, mintQuote: own)
            return (try await store.meltQuote(id: quote.id))?.state == .paid ? .paid(feeMsat: 0, preimage: nil) : .failed(reason: "internal")
        }
        // The attempt as it is now: a failure read from the backend releases the inputs only if no newer attempt
        // has been sent meanwhile.
        guard let current = try await ledger({ try await store.meltQuote(id: quote.id) }), current.state == .pending else { return .pending }
        let backend = backend(for: current.unit)
        var attempt = current.paymentAttemptAt
        var result = try await backend.paymentStatus(current.paymentHash)
        if resend, result == .unknown, let last = attempt {
            let now = clock.now()
            if current.paymentBackend != backend.name {
                logger.warning("a pending melt's payment is unknown to the backend, which did not send it; it is not sent again", metadata: [
                    "quote": "\(Redacted(current.id))", "sent_through": "\(current.paymentBackend ?? "unrecorded")", "backend": "\(backend.name)",
                ])
            } else if now > last, now - last > resendWait(backend),
                      try await ledger({ try await store.claimPaymentAttempt(quoteID: current.id, from: last, to: now) }) {
                logger.warning("the backend has no record of a pending melt's payment; sending it again", metadata: ["quote": "\(Redacted(current.id))"])
                attempt = now
                result = await send(current)
            }
        }
        try await settle(current, result, attempt: attempt)
        return result
    }

    func settleInternally(_ quote: MeltQuoteRecord, mintQuote: MintQuoteRecord) async throws {
        var (_, change) = try signChange(quote, feePaid: 0)
        do {
            do {
                try await store.completeInternalMelt(quoteID: quote.id, mintQuoteID: mintQuote.id, change: change, at: clock.now())
            } catch let error as MintStoreError where error.code == .outputsSigned {
                // As in `settle`: a blank output was signed meanwhile; settle without change.
                logger.warning("internal melt settled, change dropped: a blank output was signed meanwhile", metadata: ["quote": "\(Redacted(quote.id))"])
                change = []
                try await store.completeInternalMelt(quoteID: quote.id, mintQuoteID: mintQuote.id, change: change, at: clock.now())
            }
            MintMetrics.meltQuote(quote.unit, "paid")
            logger.info("melt settled internally", metadata: ["quote": "\(Redacted(quote.id))", "mint_quote": "\(Redacted(mintQuote.id))"])
        } catch let error as MintStoreError where error.code == .quoteState {
            // The invoice was paid by someone else meanwhile: nothing moved, release the inputs.
            try await ledger { try await store.failMelt(quoteID: quote.id) }
        }
    }

    /// Settles a PENDING melt by its payment's outcome. `attempt` is the payment attempt the outcome belongs to: a
    /// failure releases the inputs only while that is still the quote's attempt.
    func settle(_ quote: MeltQuoteRecord, _ result: PaymentResult, attempt: UInt64?) async throws {
        switch result {
        case let .paid(feeMsat, preimage):
            // The money has gone out: from here on nothing may keep the quote from PAID. Change that cannot be
            // signed is dropped (logged) rather than leaving the quote and its inputs pending for good. A fee the
            // unit cannot express (or beyond the reserve) counts as the whole reserve.
            let fee = min((try? backend(for: quote.unit).conversion.amount(msat: feeMsat, quote.unit)) ?? quote.feeReserve, quote.feeReserve)
            var change: [SignatureRecord]
            do {
                change = try signChange(quote, feePaid: fee).1
            } catch {
                logger.error("melt paid, change dropped: it could not be signed", metadata: ["quote": "\(Redacted(quote.id))", "error": "\(error)"])
                change = []
            }
            do {
                try await ledger { try await store.completeMelt(quoteID: quote.id, preimage: preimage, feePaid: fee, change: change, at: clock.now()) }
            } catch let error as CashuError where error.code == .outputsAlreadySigned {
                // The wallet had a blank output signed elsewhere after the check in `melt` (a race of its own making).
                // The invoice is paid: settle without change rather than leave the quote pending forever.
                logger.warning("melt paid, change dropped: a blank output was signed meanwhile", metadata: ["quote": "\(Redacted(quote.id))"])
                try await ledger { try await store.completeMelt(quoteID: quote.id, preimage: preimage, feePaid: fee, change: [], at: clock.now()) }
            } catch let error as CashuError where error.code == .transactionError {
                // Not PENDING any more: another process (or recovery) settled it first. Only an error if it is not PAID.
                guard try await ledger({ try await store.meltQuote(id: quote.id) })?.state == .paid else { throw error }
            }
            MintMetrics.meltQuote(quote.unit, "paid")
            logger.info("melt paid", metadata: ["quote": "\(Redacted(quote.id))", "fee": "\(fee)"])
        case let .failed(reason):
            do {
                try await store.failMelt(quoteID: quote.id, attempt: attempt)
            } catch let error as MintStoreError where error.code == .quoteState {
                // Settled meanwhile, or the payment was sent again: that attempt's outcome decides, not this one.
                logger.notice("melt failure not applied: the quote moved on", metadata: ["quote": "\(Redacted(quote.id))", "reason": "\(reason)"])
                return
            } catch let error as MintStoreError {
                throw cashuError(error)
            }
            MintMetrics.meltQuote(quote.unit, "failed")
            logger.info("melt failed, inputs released", metadata: ["quote": "\(Redacted(quote.id))", "reason": "\(reason)"])
        case .pending, .unknown:
            logger.info("melt still pending", metadata: ["quote": "\(Redacted(quote.id))"])
        }
    }

    /// NUT-08 change: inputs − input fee − amount − Lightning fee, split over the amounts the blank outputs' keysets
    /// have (largest first, repeats allowed, as cdk does; a keyset of 1, 2, 4, 8 returns 21 as 8, 8, 4, 1), on the
    /// blank outputs in ascending order. When the wallet gave too few outputs, the largest amounts are returned (the
    /// rest stays with the mint); zero amounts are not signed.
    func signChange(_ quote: MeltQuoteRecord, feePaid: Amount) throws -> ([BlindSignature], [SignatureRecord]) {
        guard let blank = quote.blankOutputs, !blank.isEmpty, let inputAmount = quote.inputAmount else { return ([], []) }
        let paidOut = quote.amount.adding(min(feePaid, quote.feeReserve)).flatMap { $0.adding(quote.inputFee ?? 0) } ?? inputAmount
        let changeAmount = inputAmount.subtracting(paidOut) ?? 0
        // Amounts every blank output's keyset can sign (they are all keysets of the quote's unit).
        var denominations: Set<Amount>?
        for id in Set(blank.map(\.id)) {
            guard let amounts = keysets.entry(id)?.record.amounts else { throw CashuError.keysetNotFound(id) }
            denominations = denominations.map { $0.intersection(amounts) } ?? Set(amounts)
        }
        guard let amounts = changeAmount.split(over: Array(denominations ?? []), limit: blank.count)?.sorted() else {
            throw CashuError(.transactionError, "change \(changeAmount) cannot be split over the blank outputs' keyset amounts")
        }
        var outputs = [BlindedMessage]()
        for (output, amount) in zip(blank, amounts) {
            var o = output
            o.amount = amount
            outputs.append(o)
        }
        return try sign(outputs)
    }

    /// Settles every PENDING melt whose outcome the backend now knows; the rest stay pending (fail closed).
    /// `resend`: whether a payment the backend has no record of may be sent again (the maintenance pass; start-up
    /// recovery does not, so that the API does not wait for payment calls).
    public func recoverPendingMelts(resend: Bool = true) async throws {
        for quote in try await ledger({ try await store.pendingMeltQuotes() }) {
            do {
                let result = try await resolvePending(quote, resend: resend)
                logger.info("recovered pending melt", metadata: ["quote": "\(Redacted(quote.id))", "result": "\(result.kind)"])
            } catch {
                logger.warning("pending melt left pending", metadata: ["quote": "\(Redacted(quote.id))", "error": "\(error)"])
            }
        }
    }

    /// Pays the melts queued by `prefer_async` requests, at most `concurrency` at a time, until the queue is
    /// finished and drained. A failure is logged; the melt stays PENDING for recovery.
    public func payQueuedMelts(concurrency: Int = 16) async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for await quote in queuedMelts.stream {
                queuedMelts.taken()
                if running >= concurrency {
                    await group.next()
                    running -= 1
                }
                group.addTask {
                    do {
                        let settled = try await pay(quote, claim: true)
                        logger.info("queued melt settled", metadata: ["quote": "\(Redacted(quote.id))", "state": "\(settled.state.rawValue)"])
                    } catch {
                        logger.warning("queued melt left pending", metadata: ["quote": "\(Redacted(quote.id))", "error": "\(error)"])
                    }
                }
                running += 1
            }
        }
    }
}
