import Bolt11
import CashuCrypto
import CashuProtocol
import Foundation
import NIOCore

/// What became of a payment.
public struct MeltResult: Sendable {
    /// PAID, or PENDING when the mint has not finished (the inputs stay pending until `recover` settles them).
    public var state: MeltQuoteState
    public var amount: Amount
    /// The fee paid, when known: fee reserve minus change.
    public var fee: Amount?
    public var preimage: String?
    public var change: Amount
}

extension Wallet {
    /// Asks the mint what paying `invoice` costs (NUT-05); with `partMsat`, what paying that part of it costs, the
    /// rest being paid through other mints (NUT-15).
    public func meltQuote(invoice: String, unit: CurrencyUnit = .sat, mintURL: String, partMsat: UInt64? = nil) async throws -> MeltQuoteBolt11Response {
        let options = partMsat.map { MeltQuoteBolt11Request.Options(mpp: .init(amount: $0)) }
        let quote = try await client(mintURL).createMeltQuote(MeltQuoteBolt11Request(request: invoice, unit: unit, options: options))
        try await store.saveQuote(WalletQuote(
            id: quote.quote, mintURL: MintClient(url: mintURL).url, kind: .melt, request: invoice, amount: quote.amount, unit: quote.unit ?? unit,
            feeReserve: quote.feeReserve, state: quote.state.rawValue, expiry: quote.expiry))
        return quote
    }

    /// Pays a melt quote with the wallet's proofs, with blank outputs for the fee change (NUT-08).
    /// `timeout`: how long the mint may take to answer (a multi-path part waits there for the other parts).
    /// `wait`: when the mint answers PENDING, how long to wait for the payment's outcome before returning PENDING.
    /// Where the mint offers NUT-17 subscriptions to melt quotes in the unit, the melt asks for an immediate answer
    /// (NUT-05 `prefer_async`) and the wallet waits on the subscription; otherwise it polls the quote.
    public func melt(
        _ quote: MeltQuoteBolt11Response, unit requestedUnit: CurrencyUnit = .sat, mintURL: String, timeout: TimeAmount? = nil,
        wait: Duration? = nil
    ) async throws -> MeltResult {
        var client = client(mintURL)
        if let timeout { client.timeout = timeout }
        // Some mints leave `unit` out of the quote: it is then the unit the quote was asked in.
        let unit = quote.unit ?? requestedUnit
        try await moveInactiveProofs(client, unit: unit)
        var preferAsync = false
        if wait != nil, let info = try? await client.info() { preferAsync = MintSubscription.offered(info, kind: "bolt11_melt_quote", unit: unit) }
        let keysets = try await store.keysets(mintURL: client.url)
        let available = spendable(try await store.proofs(mintURL: client.url, unit: unit).map(\.proof), keysets: keysets)
        guard let target = quote.amount.adding(quote.feeReserve) else { throw WalletError(.invalidInput, "quote amounts overflow") }
        let (selected, total, fee) = try selectInputs(available, covering: target, keysets: keysets)
        guard let needed = target.adding(fee), total >= needed else {
            throw WalletError(.insufficientFunds, "not enough \(unit) at \(client.url): \(quote.amount) + fee reserve \(quote.feeReserve) + input fee \(fee) needed")
        }
        let keyset = try await activeKeyset(client.url, unit: unit)
        // Blank outputs for whatever the mint returns: the overpaid reserve and any excess of the inputs.
        let excess = total.subtracting(needed) ?? 0
        let blankCount = MeltRequest.blankOutputCount(feeReserve: quote.feeReserve.adding(excess) ?? quote.feeReserve)
        let blank = try await prepare(Array(repeating: Amount(1), count: blankCount), keyset: keyset)
        let operation = try await store.beginOperation(
            .melt, mintURL: client.url, data: try Self.json(Journal(quote: quote.quote, outputs: [blank.journal])), inputs: try selected.map { try $0.y.hex })
        try await store.markSent(operation.id)
        let response: MeltQuoteBolt11Response
        do {
            response = try await client.melt(MeltRequest(quote: quote.quote, inputs: selected, outputs: blank.messages, preferAsync: preferAsync ? true : nil))
        } catch let error as MintClientError where error.mintRefused {
            try await closeRefused(operation.id, client: client)
            throw error
        }
        let result = try await settleMelt(response, unit: unit, operationID: operation.id, blank: blank, inputTotal: total, inputFee: fee, mintURL: client.url)
        guard result.state == .pending, let wait, try await waitForMelt(quote: quote.quote, unit: unit, client: client, timeout: wait) else { return result }
        // Settled at the mint: settle the operation from the quote (its change too).
        var final = try await client.meltQuote(id: quote.quote)
        guard final.state != .pending else { return result }
        if final.state == .paid, (final.change ?? []).isEmpty {
            // Some mints do not repeat the change on the quote: ask for the blank outputs' signatures.
            final.change = try await restoredSignatures(blank, client: client).map(\.1)
        }
        return try await settleMelt(final, unit: unit, operationID: operation.id, blank: blank, inputTotal: total, inputFee: fee, mintURL: client.url)
    }

    /// Waits up to `timeout` for a PENDING melt quote to be PAID or UNPAID: through a NUT-17 subscription when the
    /// mint offers `bolt11_melt_quote` for the unit, polling the quote every second otherwise (or if the websocket
    /// fails). True when the outcome is known.
    func waitForMelt(quote: String, unit: CurrencyUnit, client: MintClient, timeout: Duration) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        if let info = try? await client.info(), MintSubscription.offered(info, kind: "bolt11_melt_quote", unit: unit) {
            let settled = await MintSubscription.wait(mintURL: client.url, kind: "bolt11_melt_quote", filter: quote, timeout: timeout) { payload in
                ["PAID", "UNPAID"].contains(payload["state"]?.stringValue ?? "")
            }
            if settled { return true }
        }
        while clock.now < deadline {
            if let current = try? await client.meltQuote(id: quote), current.state != .pending { return true }
            try await Task.sleep(for: min(.seconds(1), deadline - clock.now))
        }
        return false
    }

    /// Settles a melt from the mint's answer (or a later quote check): PAID stores the change and spends the
    /// inputs; UNPAID releases them; PENDING leaves the operation open.
    func settleMelt(
        _ response: MeltQuoteBolt11Response, unit: CurrencyUnit, operationID: String, blank: PreparedOutputs, inputTotal: Amount, inputFee: Amount, mintURL: String
    ) async throws -> MeltResult {
        try await store.setQuoteState(mintURL: mintURL, id: response.quote, state: response.state.rawValue)
        switch response.state {
        case .paid:
            let change = try blank.changeProofs(response.change ?? [])
            let changeTotal = Amount.sum(change.map(\.amount)) ?? 0
            let spent = inputTotal.subtracting(changeTotal) ?? 0
            let lightningFee = spent.subtracting(response.amount).flatMap { $0.subtracting(inputFee) }
            try await store.finishOperation(
                operationID, state: .done, inputsTo: .spent, newProofs: change, mintURL: mintURL,
                history: HistoryEntry(
                    kind: "melted", mintURL: mintURL, unit: unit, amount: response.amount, fee: (lightningFee ?? 0).adding(inputFee) ?? 0,
                    memo: response.request, createdAt: Self.now()))
            return MeltResult(state: .paid, amount: response.amount, fee: lightningFee, preimage: response.paymentPreimage, change: changeTotal)
        case .unpaid:
            try await store.finishOperation(operationID, state: .failed, inputsTo: .unspent, mintURL: mintURL)
            return MeltResult(state: .unpaid, amount: response.amount, fee: nil, preimage: nil, change: 0)
        case .pending:
            return MeltResult(state: .pending, amount: response.amount, fee: nil, preimage: nil, change: 0)
        }
    }
}
