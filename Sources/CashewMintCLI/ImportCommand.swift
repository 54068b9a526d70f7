import ArgumentParser
import CashewEncoding
import CashewFiles
import CashewMintServer
import CashuCrypto
import CashuMint
import Foundation
import Logging
import NutshellImport

/// `cashew-mint import nutshell --from PATH_OR_URL`: takes over a stopped nutshell mint.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Take over another mint's ledger.", subcommands: [Nutshell.self])

    struct Nutshell: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "nutshell",
            abstract: "Import a stopped nutshell 0.21 mint: keysets, issued signatures, spent and pending proofs, quotes.",
            discussion: """
                Stop the nutshell mint first. --from is its database: the MINT_DATABASE directory (or the mint.sqlite3 in it), or a \
                postgres:// URL. The keysets derive from nutshell's MINT_PRIVATE_KEY, read from its keysets table or given with \
                --private-key; this mint's seed becomes that key (written to the seed file when there is none; an existing seed \
                must be the same). The import checks every keyset, signature and proof against the key before writing, can be \
                run again (what is there already is compared, not written twice), and refuses a ledger with other data. \
                Specs/deployment.md describes the whole move.
                """)
        @OptionGroup var common: CommonOptions
        @Option(name: .customLong("from"), help: "The nutshell mint's database: a directory or SQLite file, or a postgres:// URL.") var source: String
        @Option(help: "nutshell's MINT_PRIVATE_KEY, when its keysets table does not hold it in the clear.") var privateKey: String?

        func run() async throws {
            let settings = try common.resolve()
            LogSetup.bootstrap(level: .warning, format: settings.logFormat)
            let logger = Logger(label: "cashew-mint")
            let ledger: NutshellLedger
            do { ledger = try await NutshellSource.read(source, logger: logger) } catch let e as NutshellSource.ReadError { throw CLIError(e.description) } catch {
                throw CLIError("cannot read the nutshell database: \(error)")
            }
            let key: String
            do {
                guard let k = try privateKey ?? NutshellImporter.privateKey(of: ledger) else {
                    throw CLIError("the nutshell keysets do not hold their private key in the clear: give --private-key (nutshell's MINT_PRIVATE_KEY)")
                }
                key = k
            } catch let e as NutshellImporter.ImportError { throw CLIError(e.description) }
            let seedBytes = Array(key.utf8)
            guard (16...64).contains(seedBytes.count) else {
                throw CLIError("the nutshell private key is \(seedBytes.count) bytes; Cashew takes seeds of 16 to 64 bytes")
            }
            let master = try ExtendedPrivateKey(seed: seedBytes)
            // The key must derive nutshell's keysets before it becomes this mint's seed.
            do { try NutshellImporter.checkKey(ledger, master: master) } catch let e as NutshellImporter.ImportError { throw CLIError(e.description) }
            try adoptSeed(settings: settings, seedHex: Hex.encode(seedBytes), master: master)

            let summary = try await CLIError.lines {
                try await MintRuntime.withLedger(settings, logger: logger) { store, _ in
                    do {
                        let summary = try await NutshellImporter(store: store, master: master, logger: logger).run(ledger)
                        // The nutshell mint's active keysets stay active after a restart (not rotated to input_fee_ppk).
                        let live = LiveSettings(settings.mint)
                        try await live.update(in: store, now: UInt64(Date().timeIntervalSince1970)) { overrides in
                            for (unit, policy) in summary.keysetPolicies { overrides.setKeysetPolicy(policy, for: unit) }
                        }
                        return summary
                    } catch let e as NutshellImporter.ImportError {
                        throw CLIError(e.description)
                    }
                }
            }
            print("""
                imported from nutshell (database version \(ledger.databaseVersion)): \(summary.keysets) keysets, \(summary.signatures) signatures, \
                \(summary.spentProofs) spent and \(summary.pendingProofs) pending proofs, \(summary.mintQuotes) mint and \(summary.meltQuotes) melt quotes\
                \(summary.alreadyPresent > 0 ? "; \(summary.alreadyPresent) already present" : "")
                """)
            let missing = Set(summary.keysetPolicies.keys).subtracting(settings.mint.units)
            if !missing.isEmpty {
                print("note: add \(missing.map(\.rawValue).sorted().joined(separator: ",")) to units, or those keysets stop signing when the mint starts")
            }
        }

        /// Makes the nutshell key this mint's seed: written to the seed file when there is no seed yet; an existing seed
        /// must derive the same master key.
        func adoptSeed(settings: MintServerSettings, seedHex: String, master: ExtendedPrivateKey) throws {
            if settings.seed != nil || FileManager.default.fileExists(atPath: settings.seedFile) {
                let (existing, _) = try SeedLoader(settings: settings).load()
                guard existing.privateKey == master.privateKey, existing.chainCode == master.chainCode else {
                    throw CLIError("this mint already has another seed; import into a data directory without one, or set the seed to the nutshell key")
                }
                return
            }
            try FileManager.default.createDirectory(atPath: (settings.seedFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            switch SecretFile.create(settings.seedFile, contents: seedHex + "\n") {
            case .created: return
            case .exists: try adoptSeed(settings: settings, seedHex: seedHex, master: master)  // written meanwhile: compare it
            case let .failed(errno): throw CLIError("cannot write seed file \(settings.seedFile): \(String(cString: strerror(errno)))")
            }
        }
    }
}
