import Bolt11
import CashuCrypto
import CashuProtocol
import Foundation
import NIOCore

/// One mint's part of a multi-path payment.
public struct MultiPathPart: Sendable {
    public var mintURL: String
    /// What this mint was asked to pay, in msat.
    public var amountMsat: UInt64
    public var quote: MeltQuoteBolt11Response
    /// The outcome, when the mint answered.
    public var result: MeltResult?
    /// Why the part failed or is unknown, when it did not come back PAID or UNPAID.
    public var error: String?

    /// PAID, UNPAID, or PENDING (also when the outcome is not known: the wallet's recovery settles it later).
    public var state: MeltQuoteState { result?.state ?? .pending }
}

/// A multi-path payment (NUT-15): every part, with its outcome.
public struct MultiPathPayment: Sendable {
    public var amountMsat: UInt64
    public var parts: [MultiPathPart]
    /// Every part was paid: the invoice is paid.
    public var paid: Bool { parts.allSatisfy { $0.state == .paid } }
    /// No part was paid and none is pending: nothing left the wallet.
    public var failed: Bool { parts.allSatisfy { $0.state == .unpaid } }
}

extension Wallet {
    /// How long a part may take at its mint: the receiving node holds the parts until all have arrived. (Where the
    /// mint offers melt-quote subscriptions the part is answered PENDING at once and waited for on the socket.)
    static let multiPathTimeout: TimeAmount = .seconds(180)

    /// Pays `invoice` from several mints at once (NUT-15): the amount is split over the mints that advertise
    /// multi-path payments for bolt11 in `unit` and hold a balance, largest first, each part sized so that the mint's
    /// balance covers it with its fee reserve and input fees. All parts are paid concurrently; the receiving node
    /// settles them together or fails them together, so either every part is paid or none is (a part the mint
    /// reports PENDING is settled later by `recover`). Throws before anything is paid when the balances do not cover
    /// the invoice.
    ///
    /// `mintURLs` limits the mints used (default: every mint of the wallet).
    public func payMultiPath(invoice: String, unit: CurrencyUnit = .sat, mintURLs: [String]? = nil) async throws -> MultiPathPayment {
        let parsed: Invoice
        do { parsed = try Invoice(parsing: invoice) } catch { throw WalletError(.invalidInput, "not a BOLT11 invoice: \(error)") }
        guard let totalMsat = parsed.amountMsat, totalMsat > 0 else {
            throw WalletError(.invalidInput, "a multi-path payment needs an invoice with an amount")
        }
        let msatPerUnit: UInt64
        switch unit {
        case .sat: msatPerUnit = 1000
        case .msat: msatPerUnit = 1
        default: throw WalletError(.unsupported, "multi-path payments are split in sat or msat, not \(unit)")
        }
        var candidates = [(url: String, balance: Amount)]()
        var urls = mintURLs ?? []
        if mintURLs == nil { urls = try await store.mints().map(\.url) }
        for url in urls {
            let client = client(url)
            let keysets = try await store.keysets(mintURL: client.url)
            let balance = Amount.sum(spendable(try await store.proofs(mintURL: client.url, unit: unit).map(\.proof), keysets: keysets).map(\.amount)) ?? 0
            guard balance > 0, let info = try? await client.info(), Self.paysMultiPath(info, unit: unit) else { continue }
            candidates.append((client.url, balance))
        }
        candidates.sort { $0.balance > $1.balance }

        // Plan: each mint, largest balance first, takes as much of the rest as its balance covers with the fees its
        // quote names.
        var parts = [MultiPathPart]()
        var remaining = totalMsat
        for candidate in candidates where remaining > 0 {
            let keysets = try await store.keysets(mintURL: candidate.url)
            let available = spendable(try await store.proofs(mintURL: candidate.url, unit: unit).map(\.proof), keysets: keysets)
            var part = min(remaining, candidate.balance.rawValue.multipliedReportingOverflow(by: msatPerUnit).overflow ? remaining : candidate.balance.rawValue * msatPerUnit)
            for _ in 0..<4 where part > 0 {
                let quote = try await meltQuote(invoice: invoice, unit: unit, mintURL: candidate.url, partMsat: part)
                guard let target = quote.amount.adding(quote.feeReserve) else { break }
                let (_, total, fee) = try selectInputs(available, covering: target, keysets: keysets)
                let needed = target.adding(fee) ?? .init(UInt64.max)
                if total >= needed {
                    parts.append(MultiPathPart(mintURL: candidate.url, amountMsat: part, quote: quote))
                    remaining -= part
                    break
                }
                // Short by the fees: ask for less (one unit more than the shortfall, for the fees' own rounding).
                let short = (needed.rawValue - total.rawValue + 1).multipliedReportingOverflow(by: msatPerUnit)
                part = short.overflow || short.partialValue >= part ? 0 : part - short.partialValue
            }
        }
        guard remaining == 0 else {
            let covered = totalMsat - remaining
            throw WalletError(
                .insufficientFunds,
                "the mints that pay parts of invoices (NUT-15) cover \(covered / msatPerUnit) of \(totalMsat / msatPerUnit) \(unit) with their fees; nothing was paid")
        }

        // Pay every part at once: each mint's payment is held by the receiver until the others arrive.
        let settled = await withTaskGroup(of: (Int, MeltResult?, String?).self) { group in
            for (i, part) in parts.enumerated() {
                group.addTask {
                    do {
                        return (i, try await melt(part.quote, unit: unit, mintURL: part.mintURL, timeout: Self.multiPathTimeout, wait: .seconds(180)), nil)
                    } catch let error as MintClientError where error.mintRefused {
                        // Refused before anything moved (the wallet released the inputs).
                        return (i, MeltResult(state: .unpaid, amount: part.quote.amount, fee: nil, preimage: nil, change: 0), "\(error)")
                    } catch {
                        return (i, nil, "\(error)")
                    }
                }
            }
            return await group.reduce(into: [(Int, MeltResult?, String?)]()) { $0.append($1) }
        }
        for (i, result, error) in settled {
            parts[i].result = result
            parts[i].error = error
        }
        return MultiPathPayment(amountMsat: totalMsat, parts: parts)
    }

    /// Whether `/v1/info` lists bolt11 in `unit` under NUT-15.
    static func paysMultiPath(_ info: MintInfo, unit: CurrencyUnit) -> Bool {
        guard let methods = info.nuts?["15"]?["methods"]?.arrayValue else { return false }
        return methods.contains { $0["method"]?.stringValue == "bolt11" && $0["unit"]?.stringValue == unit.rawValue }
    }
}
