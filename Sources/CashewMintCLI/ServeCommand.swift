import ArgumentParser
import CashewMintServer
import CashuCrypto
import CashuMint
import FakeLightning
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

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
        try FileManager.default.createDirectory(atPath: settings.dataDir, withIntermediateDirectories: true)
        let (master, generated) = try SeedLoader(settings: settings).load(generateIfMissing: true)
        if let generated {
            // Unbuffered, so that it is seen even if the process is killed.
            FileHandle.standardOutput.write(Data("generated a new mint seed in \(generated): back it up, it is the only way to recover the mint's keys\n".utf8))
        }
        let (ledger, applied) = try await Ledger.open(settings, logger: logger)
        if !applied.isEmpty { logger.info("applied migrations", metadata: ["migrations": "\(applied.joined(separator: ","))"]) }
        do {
            try await ledger.run(Serve(settings: settings, master: master, logger: logger))
        } catch {
            await ledger.close()
            throw error
        }
        await ledger.close()
    }

    struct Serve: LedgerTask {
        let settings: MintCLISettings
        let master: ExtendedPrivateKey
        let logger: Logger

        func run<Store: MintStore>(_ store: Store) async throws {
            let backend = FakeLightningBackend(
                settings: settings.fake, stateFile: URL(fileURLWithPath: settings.dataDir).appendingPathComponent("fake-lightning.json"))
            let mint = try Mint(store: store, backend: backend, master: master, settings: settings.mint, logger: logger)
            try await mint.start()
            try await mint.recoverPendingMelts()
            var registry: PrometheusCollectorRegistry?
            if settings.metrics {
                let r = PrometheusCollectorRegistry()
                MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: r))
                registry = r
            }
            let server = MintServerConfiguration(
                host: settings.host, port: settings.port, maxBodySize: settings.maxBodySize, limits: settings.http)
            let app = makeMintApplication(router: makeMintRouter(mint: mint, configuration: server, metrics: registry), configuration: server, logger: logger)
            var configuration = ServiceGroupConfiguration(
                services: [
                    .init(service: app),
                    .init(service: InvoiceListenerService(mint: mint)),
                    .init(service: LedgerMaintenanceService(mint: mint)),
                    .init(service: ShutdownDeadline(deadline: settings.shutdownTimeout, logger: logger), successTerminationBehavior: .ignore),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger)
            configuration.maximumGracefulShutdownDuration = ShutdownDeadline.escalation(for: settings.shutdownTimeout)
            let group = ServiceGroup(configuration: configuration)
            logger.info("mint ready", metadata: [
                "address": "\(settings.host):\(settings.port)", "units": "\(settings.mint.units.map(\.rawValue).joined(separator: ","))",
                "ledger": "\(settings.isPostgres ? "postgres" : settings.database)",
            ])
            try await group.run()
            logger.info("mint stopped")
        }
    }
}
