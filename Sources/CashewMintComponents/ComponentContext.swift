import CashewConfig
import Logging

/// What a component factory gets to build its component: the resolved settings (flags over `CASHEW_*` variables
/// over the TOML file), from which it reads its own keys, and the mint's data directory and logger.
public struct ComponentContext: Sendable {
    public let settings: LayeredSettings
    /// Where the mint keeps its files (the SQLite ledger, the seed, a fake node's state).
    public let dataDir: String
    /// The `database` setting: an SQLite path or a server URL.
    public let database: String
    public let logger: Logger
    /// Open the ledger for reading only (the auditor): an SQLite file is opened read-only and never created.
    public let readOnly: Bool

    public init(settings: LayeredSettings, dataDir: String, database: String, logger: Logger, readOnly: Bool = false) {
        self.readOnly = readOnly
        self.settings = settings
        self.dataDir = dataDir
        self.database = database
        self.logger = logger
    }

    /// A setting error naming the key, for the operator.
    public func invalid(_ message: String) -> LayeredSettings.SettingError { LayeredSettings.SettingError(message) }
}

/// A component could not be built or opened; `description` is one line for the operator.
public struct ComponentError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
