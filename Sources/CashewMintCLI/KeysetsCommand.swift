import ArgumentParser
import CashuCrypto
import CashuMint
import CashewMintServer
import Foundation
import Logging

/// `cashew-mint keysets list|rotate`.
struct KeysetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keysets", abstract: "List or rotate keysets.", subcommands: [List.self, Rotate.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List all keysets.")
        @OptionGroup var common: CommonOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let settings = try common.resolve()
            LogSetup.bootstrap(level: .warning, format: settings.logFormat)
            let records = try await CLIError.lines {
                try await MintRuntime.withLedger(settings, logger: Logger(label: "cashew-mint")) { store, _ in try await store.keysets() }
            }
            if json {
                let rows = records.map { r -> [String: Any] in
                    ["id": r.id.hex, "unit": r.unit.rawValue, "active": r.active, "input_fee_ppk": r.inputFeePPK, "final_expiry": r.finalExpiry as Any,
                     "derivation_path": r.derivationPath.description, "denominations": r.amounts.count, "valid_from": r.validFrom]
                }
                print(String(decoding: try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
            } else if records.isEmpty {
                print("no keysets yet (they are created when the mint first starts)")
            } else {
                for r in records {
                    print("\(r.id.hex)  \(r.unit.rawValue)  \(r.active ? "active  " : "inactive")  fee \(r.inputFeePPK) ppk  \(r.amounts.count) keys  \(r.derivationPath)")
                }
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a new active keyset for a unit; the old one stays redeemable but signs nothing new.",
            discussion: "Other running mint processes pick the new keyset up within seconds.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Unit to rotate.") var unit: String = "sat"
        @Option(help: "Input fee of the new keyset in parts per thousand (default: the unit's current fee). Kept across restarts.") var inputFeePPK: UInt64?
        @Option(help: "Unix time after which the new keyset's proofs expire.") var finalExpiry: UInt64?

        func run() async throws {
            let settings = try common.resolve()
            LogSetup.bootstrap(level: .warning, format: settings.logFormat)
            let logger = Logger(label: "cashew-mint")
            let (master, _) = try SeedLoader(settings: settings).load()
            if let inputFeePPK, inputFeePPK > MintServerSettings.maxInputFeePPK {
                throw CLIError("--input-fee-ppk must be at most \(MintServerSettings.maxInputFeePPK)")
            }
            if let finalExpiry, finalExpiry > UInt64(Int64.max) { throw CLIError("--final-expiry must be a Unix time below 2^63") }
            let unit = CurrencyUnit(self.unit)
            guard settings.mint.units.contains(unit) else {
                throw CLIError("unit \(unit) is not configured (units = \(settings.mint.units.map(\.rawValue).joined(separator: ",")))")
            }
            let record = try await CLIError.lines {
                try await MintRuntime.withLedger(settings, logger: logger) { store, _ in
                    let keysets = KeysetLedger(store: store, master: master, settings: settings.mint, logger: logger)
                    try await keysets.reload()
                    // A fee other than the configured one is kept in the ledger's settings, so a restart keeps this keyset.
                    return try await keysets.rotateKeepingPolicy(unit: unit, inputFeePPK: inputFeePPK, denominations: nil, finalExpiry: finalExpiry)
                }
            }
            print("new active \(record.unit.rawValue) keyset \(record.id.hex) (fee \(record.inputFeePPK) ppk)")
        }
    }
}
