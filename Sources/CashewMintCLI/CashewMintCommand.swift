import ArgumentParser

/// `cashew-mint`: the Cashu mint server and its operator tools.
@main
struct CashewMintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cashew-mint",
        abstract: "Cashew: a Cashu mint.",
        discussion: "Settings come from flags, CASHEW_* environment variables and a TOML file (--config), in that order.",
        version: "0.1.0",
        subcommands: [ServeCommand.self, MigrateCommand.self, KeysetsCommand.self, AuditCommand.self, LiabilitiesCommand.self, SettingsCommand.self, ManagementCommand.self, ImportCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
