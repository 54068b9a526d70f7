import CashewManagementRPC
import CashewMintComponents
import CashuCrypto
import CashuMint
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// The composition root: builds the running mint from settings, and the ledger alone for the operator commands.
public enum MintRuntime {
    /// Opens the configured ledger, runs its lifecycle beside `body`, and closes it afterwards. With `migrate`,
    /// pending migrations are applied first. For the commands that need no payment backend (migrate, keysets,
    /// audit): none is built.
    public static func withLedger<T>(
        _ settings: MintServerSettings, logger: Logger, migrate: Bool = true, readOnly: Bool = false, _ body: (any MintStore, [String]) async throws -> T
    ) async throws -> T {
        let store = try await openStore(settings, logger: logger, readOnly: readOnly)
        do {
            let result = try await store.whileRunning {
                let applied = migrate ? try await migrations(store) : []
                return try await body(store, applied)
            }
            try? await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// The ledger the `database` setting names, opened (and checked) but not yet running.
    public static func openStore(_ settings: MintServerSettings, logger: Logger, readOnly: Bool = false) async throws -> any MintStore {
        guard let factory = MintComponents.store(for: settings.database) else {
            throw ComponentError("no ledger store takes database \(settings.database.prefix(40)) (an SQLite path, or a postgres:// URL)")
        }
        return try await factory.open(settings.context(logger: logger, readOnly: readOnly))
    }

    static func migrations(_ store: any MintStore) async throws -> [String] {
        do {
            return try await store.migrate()
        } catch let error as MintStoreError {
            throw ComponentError("cannot migrate the ledger: \(error.message)")
        }
    }

    /// The configured payment backends, built (not yet connected): `lightning_backend` for every unit, and
    /// `unit_backends` for the units it names; a backend named twice is built once. `serve` builds them before
    /// anything else, so that their settings are checked before a seed is generated or a ledger opened.
    public static func makeBackends(_ settings: MintServerSettings, logger: Logger) throws -> PaymentBackends {
        var built = [String: any PaymentBackend]()
        func make(_ name: String) throws -> any PaymentBackend {
            if let backend = built[name] { return backend }
            guard let factory = MintComponents.backend(named: name) else { throw ComponentError("no payment backend named \(name.prefix(20))") }
            let backend = try factory.make(settings.context(logger: logger))
            built[name] = backend
            return backend
        }
        let primary = try make(settings.lightningBackend)
        var byUnit = [CurrencyUnit: any PaymentBackend]()
        for (unit, name) in settings.unitBackends { byUnit[unit] = try make(name) }
        return PaymentBackends(default: primary, byUnit: byUnit)
    }

    /// Runs the mint until SIGTERM or SIGINT: the ledger's and the backend's lifecycles, then (once migrations,
    /// keysets and the recovery of pending melts are done) the HTTP API and the background services, as one
    /// service group. Graceful shutdown stops them in reverse: the API first, the backend and the ledger last.
    /// `store` and `backend` come from `openStore` and `makeBackend`; `serve` closes the store when it returns.
    public static func serve(
        _ settings: MintServerSettings, store: any MintStore, backends: PaymentBackends, master: ExtendedPrivateKey, logger: Logger
    ) async throws {
        let mint: Mint
        do {
            mint = try Mint(store: store, backends: backends, master: master, settings: settings.mint, logger: logger)
        } catch {
            try? await store.close()
            throw error
        }
        var registry: PrometheusCollectorRegistry?
        if settings.metricsListener != nil {
            let r = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: r))
            registry = r
        }
        var server = MintServerConfiguration(
            host: settings.host, port: settings.port, maxBodySize: settings.maxBodySize, limits: settings.http,
            requestLimits: RequestLimits(settings.requestLimits))
        server.auditReportPath = settings.auditReport
        let hub = settings.subscriptions.map { SubscriptionHub(mint: mint, limits: $0, logger: logger) }
        server.subscriptions = hub
        let app = makeMintApplication(router: makeMintRouter(mint: mint, configuration: server, metrics: registry != nil), configuration: server, logger: logger)
        var services: [any Service] = [
            EpochService(mint: mint, interval: settings.epochInterval),
            QueuedMeltService(mint: mint), InvoiceListenerService(mint: mint), LedgerMaintenanceService.make(mint: mint),
            SolvencyWatchdogService.make(mint: mint, interval: settings.solvencyCheckInterval),
            PeriodicService("settings reload", every: settings.settingsReloadInterval, logger: logger) { try await mint.reloadSettings() },
        ]
        if let interval = settings.liabilitiesInterval {
            let grace = settings.epochInterval * 2 + settings.settingsReloadInterval
            services.append(LiabilityService(
                mint: mint, interval: interval, lifetime: settings.liabilitiesKeysetEpochs, grace: UInt64(grace.components.seconds) + 1))
        }
        if let management = settings.management {
            do {
                services.append(try ManagementServer(mint: mint, settings: management, version: server.version, logger: logger))
            } catch {
                try? await store.close()
                throw error
            }
            if management.insecure {
                logger.warning("the management API runs without TLS (management_insecure): anyone who can reach \(management.host):\(management.port) can change the mint")
            }
        }
        if let registry, let listener = settings.metricsListener {
            services.append(makeMetricsApplication(registry: registry, business: BusinessMetrics(mint: mint), host: listener.host, port: listener.port, logger: logger))
        }
        // Graceful shutdown stops services in reverse order: the APIs first (no new requests), then the workers.
        services.append(app)
        if let hub {
            // NUT-17: every followed object that can still change is read from the ledger, whichever process changed
            // it. Placed after the API so that it stops first, closing the websockets the API would wait for.
            services.append(SubscriptionService(hub: hub))
        }
        let serving = MintService(mint: mint, services: services, ready: {
            logger.info("mint ready", metadata: [
                "address": "\(settings.host):\(settings.port)", "units": "\(settings.mint.units.map(\.rawValue).joined(separator: ","))",
                "ledger": "\(MintComponents.store(for: settings.database)?.name ?? "?")", "lightning": "\(lightningSummary(settings, backends))",
            ])
        }, logger: logger)
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: ComponentService("ledger") { try await store.run() })]
                + backends.all.map { backend in .init(service: ComponentService("payment backend \(backend.name)") { try await backend.run() }) }
                + [
                .init(service: serving),
                .init(service: ShutdownDeadline(deadline: settings.shutdownTimeout, logger: logger), successTerminationBehavior: .ignore),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = ShutdownDeadline.escalation(for: settings.shutdownTimeout)
        do {
            try await ServiceGroup(configuration: configuration).run()
        } catch {
            for backend in backends.all { backend.incoming.finish() }
            try? await store.close()
            throw error
        }
        for backend in backends.all { backend.incoming.finish() }
        try? await store.close()
        logger.info("mint stopped")
    }
}

/// `lnd`, or `lnd (usd: fake)` when some units have a backend of their own: for the start-up log.
func lightningSummary(_ settings: MintServerSettings, _ backends: PaymentBackends) -> String {
    let others = settings.unitBackends.sorted { $0.key.rawValue < $1.key.rawValue }.filter { $0.value != settings.lightningBackend }
    return settings.lightningBackend + (others.isEmpty ? "" : " (" + others.map { "\($0.key.rawValue): \($0.value)" }.joined(separator: ", ") + ")")
}

/// The mint itself as a service: starts it (migrations, keysets, recovery of pending melts), then runs the API and
/// the background services as a group of their own, which the outer group's graceful shutdown stops first.
struct MintService: Service {
    let mint: Mint
    let services: [any Service]
    let ready: @Sendable () -> Void
    let logger: Logger

    func run() async throws {
        let applied = try await MintRuntime.migrations(mint.store)
        if !applied.isEmpty { logger.info("applied migrations", metadata: ["migrations": "\(applied.joined(separator: ","))"]) }
        try await mint.start()
        try await mint.recoverPendingMelts(resend: false)
        ready()
        var configuration = ServiceGroupConfiguration(services: services.map { .init(service: $0) }, logger: logger)
        configuration.maximumGracefulShutdownDuration = nil
        try await ServiceGroup(configuration: configuration).run()
    }
}
