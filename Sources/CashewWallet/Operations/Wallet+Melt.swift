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
    public func melt(_ quote: MeltQuoteBolt11Response, unit requestedUnit: CurrencyUnit = .sat, mintURL: String, timeout: TimeAmount? = nil) async throws -> MeltResult {
        var client = client(mintURL)
        if let timeout { client.timeout = timeout }
        // Some mints leave `unit` out of the quote: it is then the unit the quote was asked in.
        let unit = quote.unit ?? requestedUnit
        try await moveInactiveProofs(client, unit: unit)
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
            response = try await client.melt(MeltRequest(quote: quote.quote, inputs: selected, outputs: blank.messages))
        } catch let error as MintClientError where error.mintRefused {
            try await closeRefused(operation.id, client: client)
            throw error
        }
        return try await settleMelt(response, unit: unit, operationID: operation.id, blank: blank, inputTotal: total, inputFee: fee, mintURL: client.url)
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
