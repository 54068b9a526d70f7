import ArgumentParser
import CashewWallet
import CashuProtocol
import Foundation

/// `cashew reclaim [TOKEN | --all]`: takes back sent tokens that nobody received.
struct ReclaimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reclaim", abstract: "Take back a sent token (or, with --all, every sent token) that was not received: its unspent proofs are swapped back.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The token to take back (cashuA… or cashuB…).") var token: String?
    @Flag(help: "Every token this wallet sent that was not received, at every mint (or at --mint).") var all = false

    func run() async throws {
        guard (token == nil) != !all else { throw CLIError("give a token or --all (not both)") }
        var parsed: Token?
        if let token {
            do { parsed = try Token(decoding: token.trimmingCharacters(in: .whitespacesAndNewlines)) } catch { throw CLIError("not a token: \(error)") }
        }
        try await WalletSession.run(global) { s in
            let result: ReclaimResult
            if let parsed {
                result = try await s.wallet.reclaim(parsed)
            } else {
                result = try await s.wallet.reclaimAll(mintURL: global.mint)
            }
            if global.json {
                s.printJSON([
                    "reclaimed": result.reclaimed.rawValue, "fee": result.fee.rawValue, "received": result.received, "locked": result.locked,
                    "pending_at_mint": result.pendingAtMint,
                ])
            } else {
                var parts = ["Took back \(result.reclaimed)\(result.fee > 0 ? " (input fee \(result.fee))" : "")"]
                if result.received > 0 { parts.append("\(result.received) proof\(result.received == 1 ? " was" : "s were") already received") }
                if result.locked > 0 { parts.append("\(result.locked) locked to another key") }
                if result.pendingAtMint > 0 { parts.append("\(result.pendingAtMint) pending at the mint") }
                print(parts.joined(separator: "; ") + ".")
            }
        }
    }
}
