import ArgumentParser
import CashewEncoding
import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation

/// `cashew mint AMOUNT`: asks for an invoice, waits until it is paid, mints.
struct MintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mint", abstract: "Mint e-cash: pay the invoice shown, then receive the amount.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Amount in the unit (not with --quote).") var amount: UInt64?
    @Option(help: "Seconds to wait for the invoice to be paid.") var timeout: Int = 600
    @Option(help: "Resume an earlier quote of this wallet (its invoice paid after the command stopped waiting).") var quote: String?
    @Flag(help: "Also draw the invoice as a QR code (on standard error).") var qr = false

    func run() async throws {
        guard (amount ?? 0 > 0) != (quote != nil) else { throw CLIError("give an amount, or --quote ID to resume an earlier quote") }
        try await WalletSession.run(global) { s in
            let url = try await s.mintURL()
            let quote: MintQuoteBolt11Response
            let amount: UInt64
            if let id = self.quote {
                guard let stored = try await s.store.quotes(mintURL: url, kind: .mint).first(where: { $0.id == id }) else {
                    throw CLIError("no mint quote \(id) of \(url) in this wallet")
                }
                guard stored.state != MintQuoteState.issued.rawValue else { throw CLIError("quote \(id) was already minted") }
                amount = stored.amount.rawValue
                quote = MintQuoteBolt11Response(quote: stored.id, request: stored.request, amount: stored.amount, unit: stored.unit, state: .unpaid, expiry: stored.expiry)
            } else {
                amount = self.amount ?? 0
                quote = try await s.wallet.requestMint(amount: Amount(amount), unit: global.currencyUnit, mintURL: url)
            }
            if global.json {
                // First line: the invoice to pay, before waiting (a script pays it from here).
                s.printJSON(["quote": quote.quote, "request": quote.request, "amount": amount, "unit": global.unit, "state": quote.state.rawValue], flush: true)
            } else {
                print("Pay this invoice to mint \(amount) \(global.unit):\n\(quote.request)")
            }
            if qr { try QRTerminal.show(quote.request) }
            if !global.json { FileHandle.standardError.write(Data("waiting for the payment …\n".utf8)) }
            try await s.wallet.waitUntilPaid(quote: quote.quote, mintURL: url, timeout: .seconds(timeout))
            // Resuming a quote mints it with every other paid quote of this mint, in one NUT-29 batch where offered.
            var also: UInt64 = 0
            if self.quote != nil {
                let minted = try await s.wallet.mintPaidQuotes(mintURL: url)[global.currencyUnit]?.rawValue ?? 0
                let done = try await s.store.quotes(mintURL: url, kind: .mint).first { $0.id == quote.quote }?.state == MintQuoteState.issued.rawValue
                if done { also = minted >= amount ? minted - amount : 0 }
            }
            if try await s.store.quotes(mintURL: url, kind: .mint).first(where: { $0.id == quote.quote })?.state != MintQuoteState.issued.rawValue {
                try await s.wallet.mint(quote: quote.quote, amount: Amount(amount), unit: global.currencyUnit, mintURL: url)
            }
            let balance = try await s.wallet.balance(mintURL: url, unit: global.currencyUnit)
            if global.json {
                s.printJSON(["minted": amount, "also_minted": also, "unit": global.unit, "mint": url, "quote": quote.quote, "request": quote.request, "balance": jsonAmount(balance)])
            } else {
                print("Minted \(amount) \(global.unit)\(also > 0 ? " (and \(also) \(global.unit) of other paid quotes)" : ""). Balance: \(balance) \(global.unit)")
            }
        }
    }
}

/// `cashew send AMOUNT`: prints a token (last line of standard output).
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "send", abstract: "Make a token worth AMOUNT; it is printed as the last line.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Amount in the unit.") var amount: UInt64
    @Option(help: "A note for the receiver.") var memo: String?
    @Flag(help: "Print a V3 (cashuA) token instead of V4 (cashuB).") var legacy = false
    @OptionGroup(title: "Spending conditions") var lockOptions: LockOptions
    @Option(help: "After printing the token, wait up to this many seconds until the receiver has claimed it (through a NUT-17 subscription where offered).")
    var wait: UInt64?
    @Flag(help: "Also draw the token as a QR code on standard error (NUT-16 animated when it is large).") var qr = false
    @Option(name: .customLong("reclaim-after"), help: "Take the token back by itself, on a later command at this mint, if nobody received it within this time (e.g. 90s, 30m, 12h, 7d).")
    var reclaimAfter: String?

    func run() async throws {
        guard amount > 0 else { throw CLIError("the amount must be positive") }
        if let wait, wait > 86_400 { throw CLIError("--wait must be at most 86400 seconds") }
        let reclaimSeconds = try reclaimAfter.map(Self.duration)
        try await WalletSession.run(global) { s in
            let url = try await s.mintURL()
            let lock = try lockOptions.lock(ownKey: try s.wallet.lockingPublicKey())
            let token = try await s.wallet.send(amount: Amount(amount), unit: global.currencyUnit, mintURL: url, memo: memo, lock: lock)
            let text = try token.serialized(legacy ? .v3 : .v4)
            if let reclaimSeconds { try await s.wallet.scheduleReclaim(token, after: reclaimSeconds) }
            if global.json {
                var out: [String: Any] = ["amount": amount, "unit": global.unit, "mint": url, "token": text, "locked": lock != nil]
                if let locktime = lock?.locktime { out["locktime"] = locktime }
                s.printJSON(out, flush: wait != nil)
            } else {
                let what = lock == nil ? "" : lock?.locktime.map { " locked (refund after \($0))" } ?? " locked"
                FileHandle.standardError.write(Data("Sending \(amount) \(global.unit)\(what) from \(url):\n".utf8))
                // Written at once: with --wait the command goes on running.
                FileHandle.standardOutput.write(Data((text + "\n").utf8))
            }
            if qr { try QRTerminal.show(text) }
            guard let wait else { return }
            if !global.json { FileHandle.standardError.write(Data("Waiting up to \(wait) s for the receiver …\n".utf8)) }
            let received = try await s.wallet.waitUntilReceived(token, timeout: .seconds(Int64(wait)))
            if global.json { s.printJSON(["received": received]) }
            guard received else {
                throw CLIError("the token was not claimed within \(wait) s; its proofs stay pending (`cashew check` finds them spent later)")
            }
            if !global.json { FileHandle.standardError.write(Data("Received: the token's proofs are spent at the mint.\n".utf8)) }
        }
    }
}

extension SendCommand {
    /// `90`, `90s`, `30m`, `12h`, `7d` in seconds (at most 10 years).
    static func duration(_ text: String) throws -> UInt64 {
        let units: [Character: UInt64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var digits = Substring(text.trimmingCharacters(in: .whitespaces).lowercased())
        var factor: UInt64 = 1
        if let last = digits.last, let f = units[last] {
            factor = f
            digits = digits.dropLast()
        }
        guard let n = UInt64(digits), n > 0, n <= 315_360_000 / factor else {
            throw CLIError("--reclaim-after takes a duration such as 90s, 30m, 12h or 7d, not \(text.prefix(32))")
        }
        return n * factor
    }
}

/// `cashew receive TOKEN`.
struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "receive", abstract: "Receive a token (cashuA/cashuB) into this wallet.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The token.") var token: String
    @Option(help: "HTLC preimage (hex) that unlocks the token (NUT-14). Repeatable.") var preimage: [String] = []

    func run() async throws {
        let parsed = try parseToken(token)
        let preimages = try preimage.map { text -> [UInt8] in
            guard text.utf8.count == 64, let bytes = Hex.decode(text) else { throw CLIError("--preimage is 32 bytes in hex") }
            return bytes
        }
        try await WalletSession.run(global) { s in
            let received = try await s.wallet.receive(parsed, preimages: preimages)
            let unit = parsed.unit ?? global.currencyUnit
            let balance = try await s.wallet.balance(mintURL: parsed.mint, unit: unit)
            if global.json {
                s.printJSON(["received": received.rawValue, "unit": unit.rawValue, "mint": MintClient(url: parsed.mint).url, "balance": jsonAmount(balance)])
            } else {
                print("Received \(received) \(unit) from \(parsed.mint). Balance there: \(balance) \(unit)")
            }
        }
    }
}
