import ArgumentParser
import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation

/// `cashew mints add|list|default`.
struct MintsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mints", abstract: "Manage the mints this wallet uses.", subcommands: [Add.self, List.self, Default.self], defaultSubcommand: List.self)

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a mint (its keysets are fetched and checked).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The mint's URL.") var url: String
        func run() async throws {
            try await WalletSession.run(global) { s in
                let keysets = try await s.wallet.refresh(mintURL: url)
                print("Added \(MintClient(url: url).url) (\(keysets.count) keyset\(keysets.count == 1 ? "" : "s"): \(Set(keysets.map(\.unit.rawValue)).sorted().joined(separator: ", ")))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the mints (* marks the default).")
        @OptionGroup var global: GlobalOptions
        func run() async throws {
            try await WalletSession.run(global) { s in
                let mints = try await s.store.mints()
                if global.json {
                    s.printJSON(["mints": mints.map { ["url": $0.url, "default": $0.isDefault] }])
                } else {
                    if mints.isEmpty { print("No mints yet: `cashew mints add URL`.") }
                    for m in mints { print("\(m.isDefault ? "*" : " ") \(m.url)") }
                }
            }
        }
    }

    struct Default: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a known mint the default.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The mint's URL.") var url: String
        func run() async throws {
            try await WalletSession.run(global) { s in
                try await s.store.setDefaultMint(MintClient(url: url).url)
                print("Default mint: \(MintClient(url: url).url)")
            }
        }
    }
}

/// `cashew info`: the selected mint's `/v1/info`.
struct InfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show the mint's information (NUT-06).")
    @OptionGroup var global: GlobalOptions
    func run() async throws {
        try await WalletSession.run(global) { s in
            let url = try await s.mintURL()
            let info = try await s.wallet.client(url).info()
            if global.json {
                print(String(decoding: try JSONEncoder().encode(info), as: UTF8.self))
            } else {
                print("\(info.name ?? "(unnamed mint)") at \(url)")
                if let version = info.version { print("version: \(version)") }
                if let description = info.description { print(description) }
                if let motd = info.motd { print("message: \(motd)") }
                let nuts = (info.nuts?.keys.compactMap { Int($0) } ?? []).sorted().map(String.init).joined(separator: ", ")
                print("supports NUTs: \(nuts)")
            }
        }
    }
}

/// `cashew decode TOKEN`: what a token holds, without contacting the mint.
struct DecodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode", abstract: "Show what a token holds (offline).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The token.") var token: String
    func run() async throws {
        let parsed = try parseToken(token)
        let amount = parsed.amount.map { String($0.rawValue) } ?? "overflow"
        if global.json {
            let object: [String: Any] = [
                "mint": parsed.mint, "unit": parsed.unit?.rawValue ?? NSNull(), "memo": parsed.memo ?? NSNull(), "amount": amount,
                "proofs": parsed.proofs.map { p -> [String: Any] in
                    var o: [String: Any] = ["amount": p.amount.rawValue, "id": p.id.hex, "dleq": p.dleq != nil]
                    if let lock = Self.lock(p) { o["lock"] = lock }
                    return o
                },
            ]
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) { print(String(decoding: data, as: UTF8.self)) }
        } else {
            print("\(amount) \(parsed.unit?.rawValue ?? "sat") from \(parsed.mint)\(parsed.memo.map { " (\($0))" } ?? "")")
            print("\(parsed.proofs.count) proof\(parsed.proofs.count == 1 ? "" : "s"): \(parsed.proofs.map { String($0.amount.rawValue) }.joined(separator: " + "))")
            for description in Set(parsed.proofs.compactMap { Self.lock($0).map(Self.describe) }).sorted() { print("locked: \(description)") }
        }
    }

    /// A locked proof's conditions (NUT-10/11/14, NUT-28), as JSON fields.
    static func lock(_ proof: Proof) -> [String: Any]? {
        guard let secret = try? WellKnownSecret.parse(proof.secret) else { return nil }
        var o: [String: Any] = ["kind": secret.kind.rawValue, "data": secret.data, "blinded": proof.p2pkEphemeralKey != nil]
        guard let condition = try? SpendingCondition(secret) else {
            o["malformed"] = true
            return o
        }
        o["keys"] = condition.keys.map(\.hex)
        o["n_sigs"] = condition.requiredSignatures
        o["sigflag"] = condition.signatureFlag.rawValue
        if let locktime = condition.locktime { o["locktime"] = locktime }
        if !condition.refundKeys.isEmpty {
            o["refund"] = condition.refundKeys.map(\.hex)
            o["n_sigs_refund"] = condition.requiredRefundSignatures
        }
        return o
    }

    static func describe(_ lock: [String: Any]) -> String {
        let kind = lock["kind"] as? String ?? "?"
        if lock["malformed"] as? Bool == true { return "\(kind), malformed (nobody can spend it)" }
        let keys = lock["keys"] as? [String] ?? []
        var text = kind == "HTLC" ? "HTLC hash \(lock["data"] as? String ?? "")" : "P2PK"
        if !keys.isEmpty { text += " to \(lock["n_sigs"] as? Int ?? 1) of \(keys.joined(separator: ", "))" }
        if lock["blinded"] as? Bool == true { text += " (blinded keys, NUT-28)" }
        if let locktime = lock["locktime"] as? UInt64 {
            let refund = (lock["refund"] as? [String]).map { "\(lock["n_sigs_refund"] as? Int ?? 1) of \($0.joined(separator: ", "))" } ?? "anyone"
            text += "; after \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(locktime)))) also \(refund)"
        }
        if lock["sigflag"] as? String == "SIG_ALL" { text += "; SIG_ALL" }
        return text
    }
}

/// `cashew check`: pending proofs and interrupted operations, settled from the mint's records.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Settle interrupted operations, mint quotes paid meanwhile, and find sent tokens that were received; with --requests, receive payments of requests made with --nostr.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Receive the payments that arrived on Nostr relays for this wallet's open payment requests (`cashew request --nostr`).")
    var requests = false
    @Option(name: .customLong("relay"), help: "With --requests: also look on this relay (repeatable).") var relays: [String] = []

    func run() async throws {
        if requests {
            try await checkRequests()
            return
        }
        try await WalletSession.run(global) { s in
            let url = try await s.mintURL()
            let recovered = try await s.wallet.recover(mintURL: url)
            let spent = try await s.wallet.checkPending(mintURL: url)
            let minted = try await s.wallet.mintPaidQuotes(mintURL: url)[global.currencyUnit] ?? 0
            // Proofs of keysets the mint retired move to its active keyset before they expire.
            _ = try? await s.wallet.refresh(mintURL: url)
            let moved = try? await s.wallet.moveInactiveProofs(mintURL: url, unit: global.currencyUnit)
            let balance = try await s.wallet.balance(mintURL: url, unit: global.currencyUnit)
            if global.json {
                s.printJSON([
                    "recovered": recovered.map { ["operation": $0.id, "kind": $0.kind.rawValue, "outcome": $0.outcome.rawValue, "error": ($0.error as Any?) ?? NSNull()] as [String: Any] },
                    "spent": spent, "minted": minted.rawValue, "moved": (moved ?? nil)?.amount.rawValue ?? 0, "balance": jsonAmount(balance),
                ])
            } else {
                for r in recovered { print("\(r.kind.rawValue) \(r.id): \(r.outcome.rawValue)\(r.error.map { " (\($0))" } ?? "")") }
                if minted > 0 { print("Minted \(minted) \(global.unit) from quotes paid meanwhile.") }
                if let move = moved ?? nil { print("Moved \(move.proofs) proof\(move.proofs == 1 ? "" : "s") of retired keysets to the active one: \(move.amount) \(global.unit) (fee \(move.fee)).") }
                print("\(spent) pending proof\(spent == 1 ? "" : "s") found spent. Balance: \(balance) \(global.unit)")
            }
        }
    }
}

extension CheckCommand {
    /// `--requests`: what the relays hold for this wallet's open requests, received.
    func checkRequests() async throws {
        try await WalletSession.run(global) { s in
            let inbox: RequestInbox
            do { inbox = try await s.wallet.checkRequests(relays: relays) } catch { throw CLIError("\(WalletSession.oneLine(error))") }
            let open = try await s.store.requests(open: true).count
            if global.json {
                s.printJSON([
                    "received": inbox.paid.map { ["request": $0.requestID, "amount": $0.amount.rawValue, "unit": $0.unit.rawValue, "mint": $0.mint] as [String: Any] },
                    "refused": inbox.refused.map { ["request": ($0.requestID as Any?) ?? NSNull(), "reason": $0.reason] as [String: Any] },
                    "open": open,
                ])
            } else {
                for p in inbox.paid { print("Received \(p.amount) \(p.unit) for request \(p.requestID) (\(p.mint)).") }
                for r in inbox.refused { print("Not received\(r.requestID.map { " (request \($0))" } ?? ""): \(r.reason)") }
                print("\(inbox.paid.count) payment\(inbox.paid.count == 1 ? "" : "s") received; \(open) request\(open == 1 ? "" : "s") still open.")
            }
        }
    }
}

/// `cashew backup --relay URL…`: the mint list, encrypted to the seed's backup key, on Nostr relays (NUT-27).
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Back up the wallet's mint list to Nostr relays (NUT-27), for `cashew restore --relay` on another device.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("relay"), help: "A Nostr relay (ws:// or wss://) to publish to (repeatable).") var relays: [String] = []

    func run() async throws {
        guard !relays.isEmpty else { throw CLIError("give at least one --relay") }
        try await WalletSession.run(global) { s in
            let done: (mints: [String], relays: [String])
            do { done = try await s.wallet.backupMints(relays: relays) } catch { throw CLIError("\(WalletSession.oneLine(error))") }
            if global.json {
                s.printJSON(["mints": done.mints, "relays": done.relays])
            } else {
                print("Backed up \(done.mints.count) mint\(done.mints.count == 1 ? "" : "s") to \(done.relays.joined(separator: ", ")).")
            }
        }
    }
}

/// `cashew restore`: rebuild the wallet from its seed phrase.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore the wallet's e-cash from the seed phrase (NUT-09): at the selected mint, or with --relay at every mint of the seed's Nostr backup (NUT-27).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The seed phrase (or CASHEW_MNEMONIC); for a new, empty wallet directory.") var mnemonic: String?
    @Option(name: .customLong("relay"), help: "Find the mints in the seed's backup on this Nostr relay (repeatable), and restore at each.")
    var relays: [String] = []

    func run() async throws {
        let phrase = mnemonic ?? ProcessInfo.processInfo.environment["CASHEW_MNEMONIC"]
        let given: Mnemonic?
        do { given = try phrase.map { try Mnemonic(phrase: $0.trimmingCharacters(in: .whitespacesAndNewlines)) } } catch {
            throw CLIError("not a valid BIP-39 seed phrase: \(error)")
        }
        if !relays.isEmpty {
            try await restoreFromBackup(given)
            return
        }
        try await WalletSession.run(global, mnemonic: given) { s in
            let url = try await s.mintURL()
            if !global.json { FileHandle.standardError.write(Data("Restoring from \(url) …\n".utf8)) }
            let restored = try await s.wallet.restore(mintURL: url)[global.currencyUnit] ?? 0
            let balance = try await s.wallet.balance(mintURL: url, unit: global.currencyUnit)
            if global.json {
                s.printJSON(["restored": restored.rawValue, "mint": url, "balance": jsonAmount(balance)])
            } else {
                print("Restored \(restored) \(global.unit). Balance: \(balance) \(global.unit)")
            }
        }
    }
}

extension RestoreCommand {
    /// `--relay`: the mints of the newest backup, each restored in turn (one that fails is reported, the rest go on).
    func restoreFromBackup(_ given: Mnemonic?) async throws {
        try await WalletSession.run(global, mnemonic: given) { s in
            let backup: MintBackup?
            do { backup = try await s.wallet.findMintBackup(relays: relays) } catch { throw CLIError("\(WalletSession.oneLine(error))") }
            guard let backup, !backup.mints.isEmpty else { throw CLIError("no mint backup of this seed on \(relays.joined(separator: ", "))") }
            var results = [[String: Any]]()
            var failed = 0
            for url in backup.mints {
                if !global.json { FileHandle.standardError.write(Data("Restoring from \(url) …\n".utf8)) }
                do {
                    try await s.wallet.refresh(mintURL: url)
                    let restored = try await s.wallet.restore(mintURL: url)
                    let balance = try await s.wallet.balance(mintURL: url, unit: global.currencyUnit)
                    results.append(["mint": url, "restored": (restored[global.currencyUnit] ?? 0).rawValue, "balance": jsonAmount(balance)])
                    if !global.json { print("\(url): restored \(restored[global.currencyUnit] ?? 0) \(global.unit). Balance: \(balance) \(global.unit)") }
                } catch {
                    failed += 1
                    results.append(["mint": url, "error": "\(WalletSession.oneLine(error))"])
                    if !global.json { print("\(url): not restored (\(WalletSession.oneLine(error)))") }
                }
            }
            if global.json { s.printJSON(["backup_timestamp": backup.timestamp, "mints": results]) }
            if failed > 0 { throw CLIError("\(failed) of \(backup.mints.count) mints could not be restored; run the command again to retry them") }
        }
    }
}

/// `cashew seed`: the seed phrase.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed", abstract: "Show the wallet's seed phrase (keep it secret).")
    @OptionGroup var global: GlobalOptions
    func run() async throws {
        try await WalletSession.run(global) { s in
            if global.json { s.printJSON(["mnemonic": s.mnemonic.phrase]) } else { print(s.mnemonic.phrase) }
        }
    }
}
