import ArgumentParser
import CashewConfig
import CashewMintServer
import Foundation

/// Options every `cashew-mint` command takes.
struct CommonOptions: ParsableArguments {
    @Option(help: "TOML configuration file.")
    var config: String?

    @Option(help: "Directory for the SQLite ledger, the seed file and the fake node's state (CASHEW_DATA_DIR).")
    var dataDir: String?

    @Option(help: "SQLite path, or a postgres:// URL for PostgreSQL (CASHEW_DATABASE).")
    var database: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Any setting as KEY=VALUE (repeatable); see Specs/configuration.md.", valueName: "key=value"))
    var settings: [String] = []

    /// Resolves settings: these flags (and `extra`) over `CASHEW_*` variables over the config file.
    func resolve(extra: [String: String] = [:]) throws -> MintServerSettings {
        var flags = extra
        if let dataDir { flags["data_dir"] = dataDir }
        if let database { flags["database"] = database }
        for item in settings {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else { throw CLIError("--set takes KEY=VALUE, got \(item.prefix(40))") }
            let key = String(item[..<eq])
            guard MintServerSettings.keys.contains(key) else { throw CLIError("unknown setting \(key.prefix(40)) in --set (see Specs/configuration.md)") }
            flags[key] = String(item[item.index(after: eq)...])
        }
        let env = ProcessInfo.processInfo.environment
        let configFile = config ?? env["CASHEW_CONFIG"]
        let layered: LayeredSettings
        do { layered = try LayeredSettings(flags: flags, environment: env, configFile: configFile) } catch { throw CLIError("\(error)") }
        do { return try MintServerSettings(layered) } catch let e as LayeredSettings.SettingError { throw CLIError(e.description) }
    }
}
