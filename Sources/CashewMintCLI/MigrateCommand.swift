import ArgumentParser
import CashewMintServer
import Logging

/// `cashew-mint migrate`: applies the ledger's pending migrations and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending ledger migrations.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try common.resolve()
        LogSetup.bootstrap(level: .warning, format: settings.logFormat)
        let applied = try await CLIError.lines {
            try await MintRuntime.withLedger(settings, logger: Logger(label: "cashew-mint")) { _, applied in applied }
        }
        print(applied.isEmpty ? "ledger is up to date" : "applied: " + applied.joined(separator: ", "))
    }
}
