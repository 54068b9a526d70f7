import ArgumentParser
import CashewEncoding
import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1

/// `cashew pool …`: community pools, e-cash that only a threshold of members can spend (Specs/wallet.md, "Pools").
struct PoolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pool", abstract: "Community pools: n-of-m treasuries spent by proposals that members sign.",
        subcommands: [Create.self, List.self, Deposit.self, Receive.self, Balance.self, History.self, Propose.self, Show.self, Sign.self, Submit.self, Refund.self],
        defaultSubcommand: List.self)

    static func fail(_ error: any Error) -> CLIError { CLIError("\(WalletSession.oneLine(error))") }

    static func reviewJSON(_ r: PoolReview) -> [String: Any] {
        var out: [String: Any] = [
            "pool": r.pool, "fingerprint": r.fingerprint, "unit": r.unit.rawValue, "kind": r.kind.rawValue, "pays": r.pays.rawValue, "inputs": r.inputs.rawValue,
            "change": r.change.rawValue, "fee": r.fee.rawValue, "signers": r.signers, "threshold": r.threshold,
        ]
        if let to = r.to { out["to"] = to }
        if let invoice = r.invoice { out["invoice"] = invoice }
        return out
    }

    static func describe(_ r: PoolReview) -> String {
        let unit = r.unit.rawValue
        let what = r.kind == .swap ? "pays \(r.pays) \(unit) to \(r.to ?? "?")" : "pays the invoice \(r.invoice?.prefix(30) ?? "")… (\(r.pays) \(unit))"
        return "Pool \(r.pool) (\(r.fingerprint)): \(what); spends \(r.inputs), fee \(r.fee)\(r.kind == .melt ? " at most" : ""), \(r.change) back to the pool"
            + "\(r.kind == .melt ? " at least" : ""). Signed by \(r.signers.count) of the \(r.threshold) needed."
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Define a pool from its members' public keys (`cashew pubkey`); every member runs the same command.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool's name in this wallet.") var name: String
        @Option(name: .customLong("member"), help: "A member's public key (repeat for each member, this wallet's included).") var members: [String] = []
        @Option(help: "How many members must sign a spend.") var threshold: Int
        @Option(help: "Unix time after which the refund keys may take the pool's e-cash back alone.") var locktime: UInt64?
        @Option(name: .customLong("refund"), help: "Refund key after the locktime (repeatable).") var refund: [String] = []

        func run() async throws {
            try await WalletSession.run(global) { s in
                let url = try await s.mintURL()
                let pool: PoolDefinition
                do {
                    pool = try PoolDefinition(
                        name: name, mint: url, unit: global.currencyUnit, members: try members.map { try LockOptions.parseKey($0).key.hex }, threshold: threshold,
                        locktime: locktime, refund: try refund.map { try LockOptions.parseKey($0).key.hex })
                    try await s.wallet.createPool(pool)
                } catch let error as CLIError { throw error } catch { throw PoolCommand.fail(error) }
                if global.json {
                    s.printJSON(["pool": name, "fingerprint": pool.fingerprint, "mint": url, "members": pool.members, "threshold": pool.threshold])
                } else {
                    print("Pool \(name): \(pool.threshold) of \(pool.members.count) at \(url). Fingerprint \(pool.fingerprint) (every member must see the same).")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The pools of this wallet.")
        @OptionGroup var global: GlobalOptions
        func run() async throws {
            try await WalletSession.run(global) { s in
                let pools = try await s.store.pools()
                if global.json {
                    s.printJSON(["pools": pools.map { ["pool": $0.name, "fingerprint": $0.fingerprint, "mint": $0.mint, "threshold": $0.threshold, "members": $0.members] as [String: Any] }])
                } else {
                    for p in pools { print("\(p.name)  \(p.threshold) of \(p.members.count)  \(p.mint)  \(p.fingerprint)") }
                }
            }
        }
    }

    struct Deposit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send e-cash into the pool: prints a token locked to it, for the other members (`cashew pool receive`).")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        @Argument var amount: UInt64
        func run() async throws {
            try await WalletSession.run(global) { s in
                let token: Token
                do { token = try await s.wallet.depositToPool(name, amount: Amount(amount)) } catch { throw PoolCommand.fail(error) }
                let text = try token.serialized()
                if global.json { s.printJSON(["pool": name, "deposited": amount, "token": text]) } else { print(text) }
            }
        }
    }

    struct Receive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a token of the pool's e-cash (a deposit, or change a member shared) to what this member knows of the pool.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        @Argument var token: String
        func run() async throws {
            let decoded: Token
            do { decoded = try Token(decoding: token.trimmingCharacters(in: .whitespacesAndNewlines)) } catch { throw CLIError("not a token: \(error)") }
            try await WalletSession.run(global) { s in
                let added: Amount
                do { added = try await s.wallet.receivePoolToken(name, token: decoded) } catch { throw PoolCommand.fail(error) }
                if global.json { s.printJSON(["pool": name, "added": added.rawValue]) } else { print("Added \(added) to pool \(name).") }
            }
        }
    }

    struct Balance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The pool's e-cash this member knows of, checked at the mint, after settling spends this member sent whose outcome was not known.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        func run() async throws {
            try await WalletSession.run(global) { s in
                let settled: [PoolSettlement]
                let balance: Amount
                do {
                    settled = try await s.wallet.settlePoolSubmissions(name)
                    balance = try await s.wallet.poolBalance(name)
                } catch { throw PoolCommand.fail(error) }
                if global.json {
                    s.printJSON(["pool": name, "balance": balance.rawValue, "settled": try settled.map(PoolCommand.settlementJSON)])
                } else {
                    for r in settled { print(try PoolCommand.describe(r, pool: name)) }
                    print("Pool \(name): \(balance)")
                }
            }
        }
    }

    static func settlementJSON(_ r: PoolSettlement) throws -> [String: Any] {
        var out: [String: Any] = ["kind": r.kind.rawValue, "outcome": r.outcome.rawValue, "pays": r.pays.rawValue]
        if let payment = r.payment { out["payment"] = try payment.serialized() }
        if let change = r.change { out["change"] = try change.serialized() }
        if let error = r.error { out["error"] = error }
        return out
    }

    static func describe(_ r: PoolSettlement, pool: String) throws -> String {
        let what = r.kind == .swap ? "payment of \(r.pays)" : "Lightning payment of \(r.pays)"
        var lines: [String]
        switch r.outcome {
        case .completed: lines = ["An earlier \(what) from the pool went through."]
        case .rolledBack: lines = ["An earlier \(what) from the pool did not go through: its e-cash is the pool's again."]
        case .stillPending:
            lines = [r.error.map { "An earlier \(what) from the pool could not be settled yet: \($0)" } ?? "An earlier \(what) from the pool is still pending at the mint."]
        }
        if let payment = r.payment { lines.append("Payment (give it to the recipient):\n\(try payment.serialized())") }
        if let change = r.change {
            lines.append("Change back to the pool (for the other members: cashew pool receive \(pool) TOKEN):\n\(try change.serialized())")
        }
        return lines.joined(separator: "\n")
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What this member saw happen to the pool.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        func run() async throws {
            try await WalletSession.run(global) { s in
                _ = try await s.wallet.pool(name)
                let entries = try await s.store.poolHistory(name)
                if global.json {
                    s.printJSON(["history": entries.map { ["kind": $0.kind, "amount": $0.amount.rawValue, "fee": $0.fee.rawValue, "detail": $0.detail, "time": $0.time] as [String: Any] }])
                } else {
                    for e in entries { print("\(e.time)  \(e.kind)  \(e.amount)  fee \(e.fee)  \(e.detail)") }
                }
            }
        }
    }

    struct Propose: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Propose a spend: prints a proposal (cashewpoolA…), signed by this member, for the others to review and sign.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        @Argument(help: "Amount (with --invoice: optional, must match the invoice).") var amount: UInt64?
        @Option(help: "Pay a token locked to this public key.") var to: String?
        @Option(help: "Pay this BOLT11 invoice.") var invoice: String?
        @Option(help: "What it is for.") var memo: String?
        func run() async throws {
            guard (to == nil) != (invoice == nil) else { throw CLIError("give --to KEY or --invoice BOLT11") }
            let key = try to.map { try LockOptions.parseKey($0).key }
            try await WalletSession.run(global) { s in
                let proposal: PoolProposal
                let review: PoolReview
                do {
                    proposal = try await s.wallet.proposePoolSpend(name, amount: amount.map { Amount($0) }, to: key, invoice: invoice, memo: memo)
                    review = try await s.wallet.reviewPoolProposal(proposal)
                } catch { throw PoolCommand.fail(error) }
                if global.json {
                    s.printJSON(PoolCommand.reviewJSON(review).merging(["proposal": proposal.encoded]) { a, _ in a })
                } else {
                    FileHandle.standardError.write(Data((PoolCommand.describe(review) + "\n").utf8))
                    print(proposal.encoded)
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a proposal against this wallet's pool and the mint, and say exactly what it pays, to whom, and the fee.")
        @OptionGroup var global: GlobalOptions
        @Argument var proposal: String
        func run() async throws {
            let decoded: PoolProposal
            do { decoded = try PoolProposal(decoding: proposal) } catch { throw PoolCommand.fail(error) }
            try await WalletSession.run(global) { s in
                let review: PoolReview
                do { review = try await s.wallet.reviewPoolProposal(decoded) } catch { throw PoolCommand.fail(error) }
                if global.json { s.printJSON(PoolCommand.reviewJSON(review)) } else { print(PoolCommand.describe(review)) }
            }
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Review a proposal and add this member's signature; the member who completes the threshold submits it.")
        @OptionGroup var global: GlobalOptions
        @Argument var proposal: String
        @Flag(help: "Only sign: print the signed proposal even when it has enough signatures.") var noSubmit = false
        func run() async throws {
            let decoded: PoolProposal
            do { decoded = try PoolProposal(decoding: proposal) } catch { throw PoolCommand.fail(error) }
            try await WalletSession.run(global) { s in
                let signed: (proposal: PoolProposal, review: PoolReview)
                do { signed = try await s.wallet.signPoolProposal(decoded) } catch { throw PoolCommand.fail(error) }
                guard !noSubmit, signed.review.signers.count >= signed.review.threshold else {
                    if global.json {
                        s.printJSON(PoolCommand.reviewJSON(signed.review).merging(["proposal": signed.proposal.encoded]) { a, _ in a })
                    } else {
                        FileHandle.standardError.write(Data((PoolCommand.describe(signed.review) + "\n").utf8))
                        print(signed.proposal.encoded)
                    }
                    return
                }
                try await PoolCommand.submit(signed.proposal, s, global)
            }
        }
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a proposal to the mint as it is (the mint refuses one without enough signatures).")
        @OptionGroup var global: GlobalOptions
        @Argument var proposal: String
        func run() async throws {
            let decoded: PoolProposal
            do { decoded = try PoolProposal(decoding: proposal) } catch { throw PoolCommand.fail(error) }
            try await WalletSession.run(global) { s in try await PoolCommand.submit(decoded, s, global) }
        }
    }

    static func submit(_ proposal: PoolProposal, _ s: WalletSession, _ global: GlobalOptions) async throws {
        let result: PoolSpendResult
        do { result = try await s.wallet.submitPoolProposal(proposal) } catch { throw fail(error) }
        let payment = try result.payment?.serialized()
        let change = try result.change?.serialized()
        if global.json {
            var out: [String: Any] = ["state": result.state, "pays": proposal.amount.rawValue]
            if let payment { out["payment"] = payment }
            if let change { out["change"] = change }
            if let preimage = result.preimage { out["preimage"] = preimage }
            s.printJSON(out)
        } else {
            // Names from this wallet's own pool, not from the proposal.
            print("Pool spend \(result.state): \(proposal.amount) \(result.pool.unit)\(proposal.kind == .swap ? " to \(proposal.to ?? "")" : " over Lightning").")
            if let payment { print("Payment (give it to the recipient):\n\(payment)") }
            if let change { print("Change back to the pool (for the other members: cashew pool receive \(result.pool.name) TOKEN):\n\(change)") }
        }
    }

    struct Refund: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "After the pool's locktime, take its e-cash this member knows of back with this wallet's refund key.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        func run() async throws {
            try await WalletSession.run(global) { s in
                let received: Amount
                do { received = try await s.wallet.refundFromPool(name) } catch { throw PoolCommand.fail(error) }
                if global.json { s.printJSON(["pool": name, "refunded": received.rawValue]) } else { print("Took back \(received) from pool \(name).") }
            }
        }
    }
}
