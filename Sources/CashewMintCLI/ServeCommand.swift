import ArgumentParser
import CashewMintServer
import CashuCrypto
import Foundation
import Logging

/// `cashew-mint serve`: runs the mint until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the mint (default 127.0.0.1:3338, SQLite, fake Lightning).")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to listen on (CASHEW_HOST).")
    var host: String?

    @Option(help: "Port to listen on (CASHEW_PORT).")
    var port: Int?

    func run() async throws {
        var extra = [String: String]()
        if let host { extra["host"] = host }
        if let port { extra["port"] = String(port) }
        // Before the settings: the default connection cap follows the descriptor limit.
        HTTPLimits.raiseDescriptorLimit()
        let settings = try common.resolve(extra: extra)
        LogSetup.bootstrap(level: settings.logLevel, format: settings.logFormat)
        let logger = Logger(label: "cashew-mint")
        // The backend's and the store's settings are checked, and the ledger reached, first: a bad setting or an
        // unreachable database must not leave a new seed behind.
        let backends = try await CLIError.lines { try MintRuntime.makeBackends(settings, logger: logger) }
        let store = try await CLIError.lines { try await MintRuntime.openStore(settings, logger: logger) }
        let master: ExtendedPrivateKey
        let generated: String?
        do {
            try FileManager.default.createDirectory(atPath: settings.dataDir, withIntermediateDirectories: true)
            (master, generated) = try SeedLoader(settings: settings).load(generateIfMissing: true)
        } catch {
            try? await store.close()
            throw error
        }
        if let generated {
            // Unbuffered, so that it is seen even if the process is killed.
            FileHandle.standardOutput.write(Data("generated a new mint seed in \(generated): back it up, it is the only way to recover the mint's keys\n".utf8))
        }
        try await CLIError.lines {
            try await MintRuntime.serve(settings, store: store, backends: backends, master: master, logger: logger)
        }
    }
}
