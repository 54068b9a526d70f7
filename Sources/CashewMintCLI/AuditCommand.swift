import ArgumentParser
import CashuCrypto
import CashuMint
import CashewMintServer
import Foundation
import Logging

/// `cashew-mint audit`: issued, redeemed, outstanding and fees per keyset, from the ledger (Specs/audit.md).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Report issued, redeemed, outstanding and fees per keyset (needs the mint's seed: keysets are re-derived and checked).")

    @OptionGroup var common: CommonOptions
    @Flag(help: "Print the report as JSON.") var json = false
    @Flag(help: "Re-verify the signature of every recorded proof (reads the whole ledger).") var verifySignatures = false

    func run() async throws {
        let settings = try common.resolve()
        LogSetup.bootstrap(level: .warning, format: settings.logFormat)
        let logger = Logger(label: "cashew-mint")
        let master = try SeedLoader(settings: settings).load().master
        let verify = verifySignatures
        let report = try await CLIError.lines {
            // Read only: the audit never changes the ledger (it runs on a replica or under a SELECT-only role).
            try await MintRuntime.withLedger(settings, logger: logger, migrate: false) { store, _ in
                let keysets = KeysetLedger(store: store, master: master, settings: settings.mint, logger: logger)
                try await keysets.reload()
                return try await keysets.audit(verifySignatures: verify)
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            for k in report.keysets {
                print("\(k.id)  \(k.unit)  \(k.active ? "active" : "inactive")")
                print("    issued \(k.issued) (\(k.issuedCount))  redeemed \(k.redeemed) (\(k.redeemedCount))  pending \(k.pending)  outstanding \(k.outstanding)\(k.overdrawn ? "  OVERDRAWN" : "")")
            }
            for u in report.units {
                print("\(u.unit): issued \(u.issued), redeemed \(u.redeemed), pending \(u.pending), outstanding \(u.outstanding), fees \(u.fees)")
            }
            if let s = report.signatures {
                print("signatures: \(s.checked) checked, \(s.invalid) invalid" + (s.unverifiable > 0 ? ", \(s.unverifiable) recorded without a signature (imported)" : ""))
            }
            if let r = report.runningTotals {
                print(r.consistent ? "running totals: consistent" : "running totals: DIFFER from the tables for \(r.mismatches.joined(separator: ", "))")
            }
        }
        if report.keysets.contains(where: \.overdrawn) || (report.signatures?.invalid ?? 0) > 0 || report.runningTotals?.consistent == false {
            throw ExitCode(2)
        }
    }
}
