import ArgumentParser
import CashewAudit
import CashuCrypto
import CashuMint
import CashewMintServer
import Foundation
import Logging

/// `cashew-mint audit`: every check of the ledger its access allows (Specs/audit.md). It only reads: an SQLite
/// ledger is opened read-only, PostgreSQL needs nothing but SELECT (a streaming replica will do). With the mint's
/// seed (the `seed` setting or the seed file) it runs the seed-dependent checks too; without it, what public data
/// proves.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the ledger: liabilities, signatures, proofs, spending conditions, conservation, keysets and lag (exit 2 on findings).")

    @OptionGroup var common: CommonOptions
    @Flag(help: "Print the report as JSON.") var json = false
    @Flag(help: .hidden) var verifySignatures = false
    @Option(help: "Seconds a melt may stay PENDING before it is reported.") var meltPendingLimit: UInt64 = 3600
    @Option(help: "Seconds a keyset's signatures are accepted after its deactivation (other processes reload keysets every few seconds).")
    var keysetGrace: UInt64 = 60

    func run() async throws {
        let settings = try common.resolve()
        LogSetup.bootstrap(level: .warning, format: settings.logFormat)
        let logger = Logger(label: "cashew-mint")
        // The seed is optional: an auditor without it runs the public checks. It is never created here.
        let seedAbsent = settings.seed == nil && settings.seedFileIsDefault && !FileManager.default.fileExists(atPath: settings.seedFile)
        let master = seedAbsent ? nil : try SeedLoader(settings: settings).load().master
        if seedAbsent {
            FileHandle.standardError.write(Data("note: no seed at \(settings.seedFile): running the checks that need no seed\n".utf8))
        }
        var options = LedgerAuditor.Options(master: master, now: UInt64(Date().timeIntervalSince1970))
        options.meltPendingLimit = meltPendingLimit
        options.keysetGrace = keysetGrace
        let auditor = LedgerAuditor(options: options)
        let report = try await CLIError.lines {
            try await MintRuntime.withLedger(settings, logger: logger, migrate: false, readOnly: true) { store, _ in
                guard let ledger = store as? any LedgerAuditing else { throw CLIError("this ledger store cannot be audited") }
                return try await ledger.withAuditSnapshot { snapshot in try await auditor.audit(snapshot) }
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.summary)
        }
        if report.hasFindings { throw ExitCode(2) }
    }
}
