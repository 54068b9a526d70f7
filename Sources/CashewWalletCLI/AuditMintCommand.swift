import ArgumentParser
import CashewWallet
import Foundation

/// `cashew audit-mint`: checks the mint's proof of liabilities against this wallet's proofs. Exit status 0 when
/// nothing speaks against the mint, 2 when something does (evidence or an inconsistency), 1 on an error.
struct AuditMintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-mint",
        abstract: "Check the mint's proof of liabilities: its signed epochs, and this wallet's proofs in its issued and spent trees.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Seconds before an epoch's close within which a proof may belong to the next epoch.") var grace: UInt64 = 120

    func run() async throws {
        var clean = true
        try await WalletSession.run(global) { s in
            let url = try await s.mintURL()
            let report = try await s.wallet.auditMint(mintURL: url, grace: grace)
            clean = report.isClean
            if global.json {
                s.printJSON([
                    "mint": report.mintURL, "epoch": report.epoch, "closed_at": report.closedAt, "epochs_checked": report.epochsChecked,
                    "issued_checked": report.issuedChecked, "spent_checked": report.spentChecked, "unspent_checked": report.unspentChecked,
                    "not_yet_committed": report.notYetCommitted, "without_blinding_factor": report.withoutBlindingFactor,
                    "outstanding": report.outstanding, "clean": report.isClean,
                    "findings": report.findings.map { f in
                        [
                            "severity": f.severity.rawValue, "check": f.check, "keyset": f.keyset ?? NSNull(), "item": f.item ?? NSNull(),
                            "amount": f.amount.map { $0 as Any } ?? NSNull(), "detail": f.detail,
                        ] as [String: Any]
                    },
                ])
            } else {
                print("Mint \(report.mintURL): liabilities epoch \(report.epoch), closed \(report.closedAt); \(report.epochsChecked) epochs checked.")
                for (unit, amount) in report.outstanding.sorted(by: { $0.key < $1.key }) { print("  outstanding: \(amount) \(unit)") }
                print("  this wallet: \(report.issuedChecked) issued, \(report.spentChecked) spent, \(report.unspentChecked) unspent proofs confirmed"
                    + (report.notYetCommitted > 0 ? "; \(report.notYetCommitted) too recent for this epoch" : "")
                    + (report.withoutBlindingFactor > 0 ? "; \(report.withoutBlindingFactor) without a blinding factor" : ""))
                for f in report.findings {
                    print("\(f.severity.rawValue.uppercased()) [\(f.check)]\(f.keyset.map { " keyset \($0)" } ?? "")\(f.item.map { " \($0)" } ?? ""): \(f.detail)")
                }
                print(report.isClean ? "Nothing speaks against the mint." : "The mint's proof of liabilities does not hold up (see above).")
            }
        }
        if !clean { throw ExitCode(2) }
    }
}
