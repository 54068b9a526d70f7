import ArgumentParser
import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation

/// `cashew pay BOLT11`: melt.
struct PayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pay", abstract: "Pay a Lightning invoice with e-cash (melt).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The BOLT11 invoice.") var invoice: String
    @Flag(help: "Pay from several mints at once (NUT-15): the amount is split over the mints that hold a balance and pay parts of invoices.")
    var mpp = false
    @Option(help: "Seconds to wait for a payment the mint reports pending (through a NUT-17 subscription where offered) before leaving it to `cashew check`.")
    var timeout: UInt64 = 120

    func run() async throws {
        if mpp { return try await payMultiPath() }
        try await WalletSession.run(global) { s in
            let url = try await s.mintURL()
            let quote = try await s.wallet.meltQuote(invoice: invoice.trimmingCharacters(in: .whitespacesAndNewlines), unit: global.currencyUnit, mintURL: url)
            if !global.json { FileHandle.standardError.write(Data("Paying \(quote.amount) \(global.unit) (fee reserve \(quote.feeReserve)) …\n".utf8)) }
            let result = try await s.wallet.melt(quote, unit: global.currencyUnit, mintURL: url, wait: .seconds(Int64(min(timeout, 86_400))))
            if result.state == .unpaid { throw CLIError("the payment failed; nothing was spent") }
            let balance = try await s.wallet.balance(mintURL: url, unit: global.currencyUnit)
            if global.json {
                var out: [String: Any] = ["state": result.state.rawValue, "amount": result.amount.rawValue, "change": result.change.rawValue, "balance": jsonAmount(balance)]
                if let fee = result.fee { out["fee"] = fee.rawValue }
                if let preimage = result.preimage { out["preimage"] = preimage }
                s.printJSON(out)
            } else {
                switch result.state {
                case .paid: print("Paid \(result.amount) \(global.unit)\(result.fee.map { ", fee \($0)" } ?? ""). Balance: \(balance) \(global.unit)")
                case .pending: print("The payment is pending at the mint; `cashew check` settles it later. Balance: \(balance) \(global.unit)")
                case .unpaid: break  // thrown above
                }
            }
        }
    }
}

extension PayCommand {
    /// `cashew pay --mpp`: every part, and exactly which went through when not all did.
    func payMultiPath() async throws {
        try await WalletSession.run(global) { s in
            let unit = global.currencyUnit
            if !global.json { FileHandle.standardError.write(Data("Splitting the payment over the mints that pay parts of invoices …\n".utf8)) }
            let payment = try await s.wallet.payMultiPath(invoice: invoice.trimmingCharacters(in: .whitespacesAndNewlines), unit: unit)
            let state = payment.paid ? "paid" : payment.failed ? "failed" : payment.parts.contains(where: { $0.state == .paid }) ? "partial" : "pending"
            if global.json {
                s.printJSON([
                    "state": state, "amount_msat": payment.amountMsat,
                    "parts": payment.parts.map { p -> [String: Any] in
                        var o: [String: Any] = ["mint": p.mintURL, "amount_msat": p.amountMsat, "amount": p.quote.amount.rawValue, "state": p.state.rawValue, "quote": p.quote.quote]
                        if let fee = p.result?.fee { o["fee"] = fee.rawValue }
                        if let preimage = p.result?.preimage { o["preimage"] = preimage }
                        if let error = p.error { o["error"] = error }
                        return o
                    },
                ])
            } else {
                for p in payment.parts {
                    let fee = p.result?.fee.map { ", fee \($0)" } ?? ""
                    let why = p.error.map { ": \($0)" } ?? ""
                    print("\(p.state.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(p.quote.amount) \(global.unit)\(fee) via \(p.mintURL)\(why)")
                }
            }
            switch state {
            case "paid": if !global.json { print("Paid \(payment.amountMsat / 1000) sat in \(payment.parts.count) part\(payment.parts.count == 1 ? "" : "s").") }
            case "failed": throw CLIError("the multi-path payment failed; nothing was spent")
            case "partial":
                let paid = payment.parts.filter { $0.state == .paid }.map { "\($0.quote.amount) via \($0.mintURL)" }.joined(separator: ", ")
                throw CLIError("the multi-path payment is incomplete: paid \(paid); the other parts were not paid (see above)")
            default: throw CLIError("parts of the multi-path payment are pending at their mints; `cashew check` settles them later")
            }
        }
    }
}

/// `cashew balance`.
struct BalanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "balance", abstract: "Show the balance (of the selected mint and unit, and of every mint).")
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("expiry-warning"), help: "Warn about e-cash on keysets that expire within this many days (0: only expired ones).")
    var expiryWarning: UInt64 = 30

    func run() async throws {
        guard expiryWarning <= 36_500 else { throw ValidationError("--expiry-warning must be at most 36500 days") }
        try await WalletSession.run(global) { s in
            let expiring = try await s.wallet.expiringHoldings(within: expiryWarning * 86_400)
            let now = UInt64(Date().timeIntervalSince1970)
            // Warnings go to standard error, so that a script reading the balance is not disturbed.
            for e in expiring where !global.json {
                let date = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(e.finalExpiry)))
                let when = e.expired ? "expired on \(date): the mint no longer redeems it" : "expires on \(date) (in \((e.finalExpiry - now + 86_399) / 86_400) days)"
                let advice = e.expired ? "" : e.active ? "; spend it before then" : "; `cashew check` moves it to the mint's active keyset"
                FileHandle.standardError.write(Data("Warning: \(e.amount) \(e.unit) at \(e.mintURL) on keyset \(e.keyset) \(when)\(advice)\n".utf8))
            }
            let mints = try await s.store.mints()
            let selected = try? await s.mintURL()
            var perMint = [(String, UInt128)]()
            for m in mints { perMint.append((m.url, try await s.store.balance(mintURL: m.url, unit: global.currencyUnit))) }
            let balance = perMint.first { $0.0 == selected }?.1 ?? 0
            if global.json {
                // `balance` is a number when it fits JSON's exact integer range, else a decimal string.
                s.printJSON([
                    "balance": jsonAmount(balance), "unit": global.unit, "mint": selected ?? NSNull(),
                    "mints": perMint.map { ["mint": $0.0, "balance": jsonAmount($0.1)] },
                    "expiring": expiring.map { e -> [String: Any] in
                        ["mint": e.mintURL, "keyset": e.keyset.hex, "unit": e.unit.rawValue, "amount": e.amount.rawValue, "final_expiry": e.finalExpiry,
                         "active": e.active, "expired": e.expired]
                    },
                ])
            } else {
                if perMint.isEmpty { print("No mints yet: `cashew mints add URL`.") }
                for (url, amount) in perMint { print("\(url == selected ? "*" : " ") \(url): \(amount) \(global.unit)") }
            }
        }
    }
}

/// `cashew history`.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show past mints, sends, receives and payments.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "How many entries.") var limit: Int = 20

    func run() async throws {
        try await WalletSession.run(global) { s in
            let entries = try await s.store.history(limit: max(1, limit))
            if global.json {
                s.printJSON(["history": entries.map { e -> [String: Any] in
                    var o: [String: Any] = ["kind": e.kind, "mint": e.mintURL, "unit": e.unit.rawValue, "amount": e.amount.rawValue, "fee": e.fee.rawValue, "time": e.createdAt]
                    if let memo = e.memo { o["memo"] = memo }
                    if let token = e.token { o["token"] = token }
                    return o
                }])
            } else {
                if entries.isEmpty { print("No history yet.") }
                let formatter = ISO8601DateFormatter()
                for e in entries {
                    let when = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(e.createdAt)))
                    print("\(when)  \(e.kind.padding(toLength: 9, withPad: " ", startingAt: 0)) \(e.amount) \(e.unit)\(e.fee > 0 ? " (fee \(e.fee))" : "")  \(e.mintURL)")
                }
            }
        }
    }
}
