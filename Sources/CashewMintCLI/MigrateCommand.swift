import ArgumentParser
import Logging

/// `cashew-mint migrate`: applies the ledger's pending migrations and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending ledger migrations.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try common.resolve()
        LogSetup.bootstrap(level: .warning, format: settings.logFormat)
        let (ledger, applied) = try await Ledger.open(settings, logger: Logger(label: "cashew-mint"))
        await ledger.close()
        print(applied.isEmpty ? "ledger is up to date" : "applied: " + applied.joined(separator: ", "))
    }
}
