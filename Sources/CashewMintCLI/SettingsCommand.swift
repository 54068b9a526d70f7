import ArgumentParser
import CashuMint
import CashewMintServer
import Foundation
import Logging

/// `cashew-mint settings show|reset`: the settings the management API changed, which the ledger keeps and which win
/// over the configuration file, the environment and flags.
struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings", abstract: "Show or reset the settings changed through the management API.",
        discussion: """
            Settings changed through the management API (nutshell's mint-cli) are kept in the ledger and win over the \
            TOML file, CASHEW_* variables and flags, in every mint process, until they are reset here. Running mints \
            apply a reset within settings_reload_interval (2 s).
            """,
        subcommands: [Show.self, Reset.self], defaultSubcommand: Show.self)

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the overrides the ledger holds (JSON).")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try common.resolve()
            LogSetup.bootstrap(level: .warning, format: settings.logFormat)
            let stored = try await CLIError.lines {
                try await MintRuntime.withLedger(settings, logger: Logger(label: "cashew-mint"), migrate: false) { store, _ in try await store.settingsOverrides() }
            }
            guard let (document, version) = stored else { return print("no settings changed through the management API") }
            let overrides = try SettingsOverrides.decode(document)
            print("version \(version); overridden: \(overrides.overriddenKeys.isEmpty ? "nothing" : overrides.overriddenKeys.joined(separator: ", "))")
            let object = try JSONSerialization.jsonObject(with: Data(document.utf8))
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drop overrides so the configured values apply again.",
            discussion: """
                KEY as `settings show` lists it: info.motd, mint_quote_expiry, "nut04 sat/bolt11", "keysets sat", … \
                Resetting "keysets UNIT" makes the next start rotate that unit back to the configured input fee.
                """)
        @OptionGroup var common: CommonOptions
        @Flag(help: "Drop every override.") var all = false
        @Argument(help: "Overrides to drop.") var keys: [String] = []

        func run() async throws {
            guard all != !keys.isEmpty else { throw CLIError("name the overrides to reset, or give --all") }
            let settings = try common.resolve()
            LogSetup.bootstrap(level: .warning, format: settings.logFormat)
            let left = try await CLIError.lines {
                try await MintRuntime.withLedger(settings, logger: Logger(label: "cashew-mint")) { store, _ in
                    let live = LiveSettings(settings.mint)
                    try await live.update(in: store, now: UInt64(Date().timeIntervalSince1970)) { overrides in
                        if all { overrides = SettingsOverrides() }
                        for key in keys where !overrides.reset(key) {
                            throw CLIError("no override \(key.prefix(60)) (overridden: \(overrides.overriddenKeys.joined(separator: ", ")))")
                        }
                    }
                    return live.overrides.overrides.overriddenKeys
                }
            }
            print(left.isEmpty ? "no overrides left" : "still overridden: \(left.joined(separator: ", "))")
        }
    }
}
