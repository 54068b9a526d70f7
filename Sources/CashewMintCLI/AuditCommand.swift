import ArgumentParser
import CashewAudit
import CashuCrypto
import CashuMint
import CashewMintServer
import Foundation
import Logging
import Secp256k1

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
    @Option(help: "The auditor's own progress file (default: <data dir>/audit-state.json); never in the mint's ledger.") var state: String?
    @Flag(help: "Recheck everything, not only the operations since the last clean run.") var full = false
    @Option(help: "The mint's public key (the pubkey of /v1/info) every epoch must be signed with, when auditing without the seed.")
    var mintPubkey: String?
    @Option(help: "An epoch commitment saved earlier, as EPOCH:HEX (repeatable): the ledger must still have it.") var trust: [String] = []
    @Option(help: "Also write the report (audit-report.json) and the transparency page (audit.html) into this directory; serve's /audit shows the report from its data directory.")
    var publish: String?
    @Flag(help: "Do not ask the payment backend (no reconciliation, no solvency check): an outside auditor without its credentials.")
    var noBackend = false

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }()

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
        if let mintPubkey {
            guard let key = try? Point(hex: mintPubkey) else { throw CLIError("--mint-pubkey is not a compressed public key") }
            options.mintPubkey = key
        }
        for item in trust {
            let parts = item.split(separator: ":")
            guard parts.count == 2, let epoch = UInt64(parts[0]), parts[1].count == 64 else { throw CLIError("--trust takes EPOCH:COMMITMENT (64 hex digits)") }
            options.trustedCommitments[epoch] = parts[1].lowercased()
        }
        if !noBackend, master != nil {
            // The operator's audit (with the seed) asks the mint's own backends, from its settings: what they hold and, where they can list them, their payments.
            // A backend that cannot be built (settings for another host, a missing key) is no bar to the rest.
            do {
                let backends = try MintRuntime.makeBackends(settings, logger: logger)
                options.backends = backends.all.enumerated().map { position, backend in
                    let units = Set(backends.units(of: position, among: settings.mint.units))
                    return AuditBackend(backend, units: units, toleranceMsat: settings.mint.solvencyToleranceMsat)
                }
            } catch {
                options.backendProblems = [("lightning_backend", "\(error)")]
                FileHandle.standardError.write(Data("note: the payment backend cannot be built (\(error)): reconciliation and solvency are not checked\n".utf8))
            }
        }
        let statePath = state ?? (settings.dataDir as NSString).appendingPathComponent("audit-state.json")
        let mode = master == nil ? "public" : "seed"
        let saved: AuditState?
        do { saved = try AuditState.load(statePath) } catch { throw CLIError("cannot read the audit state \(statePath): \(error)") }
        if let saved {
            for (epoch, commitment) in saved.commitments {
                if let n = UInt64(epoch), options.trustedCommitments[n] == nil { options.trustedCommitments[n] = commitment }
            }
            if options.mintPubkey == nil, let key = saved.mintPubkey { options.mintPubkey = try? Point(hex: key) }
            // A run with the seed after public ones checks everything once: the seed's checks never ran on them.
            if !full, saved.mode == mode || mode == "public" { options.checkedThroughEpoch = saved.checkedThroughEpoch }
        }
        let auditor = LedgerAuditor(options: options)
        let report = try await CLIError.lines {
            try await MintRuntime.withLedger(settings, logger: logger, migrate: false, readOnly: true) { store, _ in
                guard let ledger = store as? any LedgerAuditing else { throw CLIError("this ledger store cannot be audited") }
                return try await ledger.withAuditSnapshot { snapshot in try await auditor.audit(snapshot) }
            }
        }
        // The same bytes on standard output and in the published report.
        let encoded = try Self.encoder.encode(report)
        if json {
            print(String(decoding: encoded, as: UTF8.self))
        } else {
            print(report.summary)
        }
        if let publish {
            do {
                try FileManager.default.createDirectory(atPath: publish, withIntermediateDirectories: true)
                try encoded.write(to: URL(fileURLWithPath: publish).appendingPathComponent("audit-report.json"), options: .atomic)
                let page = TransparencyPage(
                    mintName: settings.mint.info.name, mintPubkey: report.epochs.mintPubkey, epochs: report.signedEpochs, report: report,
                    generatedAt: report.generatedAt, liabilities: report.liabilities)
                try Data(page.html.utf8).write(to: URL(fileURLWithPath: publish).appendingPathComponent("audit.html"), options: .atomic)
            } catch {
                throw CLIError("cannot publish the report in \(publish): \(error)")
            }
        }
        if report.hasFindings { throw ExitCode(2) }
        // A clean run moves the auditor's progress on and keeps the commitments it checked.
        var commitments = saved?.commitments ?? [:]
        for (epoch, commitment) in report.epochs.commitments { commitments[epoch] = commitment }
        let progress = AuditState(
            mode: saved?.mode == "seed" && mode == "public" ? "seed" : mode, mintPubkey: report.epochs.mintPubkey,
            checkedThroughEpoch: report.epochs.last ?? 0, commitments: commitments)
        do { try progress.save(statePath) } catch { throw CLIError("cannot write the audit state \(statePath): \(error)") }
    }
}
