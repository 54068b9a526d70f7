import CashuProtocol
import CashewAudit
import CashuMint
import Foundation
import Hummingbird
import Logging
import Prometheus

/// Where and how the mint serves HTTP.
public struct MintServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The largest request body accepted, in bytes.
    public var maxBodySize: Int
    /// `Implementation/x.y.z` for `/v1/info`.
    public var version: String
    /// Connection timeouts and the connection cap.
    public var limits: HTTPLimits
    /// Per-client rate, in-flight and connection limits (nil: none, as in tests of the routes alone).
    public var requestLimits: RequestLimits?
    /// The last audit report `cashew-mint audit --publish` wrote, shown on `/audit` (nil: none is looked for).
    public var auditReportPath: String?
    /// NUT-17 subscriptions served on `/v1/ws` (nil: no websocket; upgrade requests are refused).
    public var subscriptions: SubscriptionHub?

    public init(
        host: String = "127.0.0.1", port: Int = 3338, maxBodySize: Int = 1 << 20, version: String = "Cashew/0.1.0", limits: HTTPLimits = .init(),
        requestLimits: RequestLimits? = nil
    ) {
        self.host = host
        self.port = port
        self.maxBodySize = maxBodySize
        self.version = version
        self.limits = limits
        self.requestLimits = requestLimits
    }
}

/// The mint's HTTP server: `router` on HTTP/1 with the connection guards (timeouts, body limit, 100-continue, NUT
/// errors for malformed requests) and the connection cap.
public func makeMintApplication(
    router: Router<MintRequestContext>, configuration: MintServerConfiguration, logger: Logger
) -> some ApplicationProtocol {
    let perClient = configuration.requestLimits.map { l in
        (ConnectionsPerClient(perClient: l.settings.maxConnectionsPerClient), l.settings.trustedProxies + l.settings.exempt)
    }
    let webSocket = (configuration.subscriptions.map { MintWebSocket(hub: $0, resolver: configuration.requestLimits?.resolver).router() }
        ?? Router(context: MintWebSocketContext.self)).buildResponder()
    return Application(
        router: router,
        server: .guardedHTTP1(
            limits: configuration.limits, maxBodySize: configuration.maxBodySize, perClient: perClient, webSocket: webSocket,
            maxMessageSize: configuration.subscriptions?.limits.maxMessageSize ?? (64 << 10),
            pingInterval: configuration.subscriptions?.limits.pingInterval ?? .seconds(60), logger: logger),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "Cashew",
            availableConnectionsDelegate: ConnectionCap(maximum: configuration.limits.maxConnections, logger: logger)),
        logger: logger)
}

/// The router of a mint: the Cashu v1 API and `/health`. With `metrics`, requests are measured (latency per
/// route); the figures are served by `makeMetricsApplication` on a listener of their own, never on the API's port.
public func makeMintRouter(mint: Mint, configuration: MintServerConfiguration, metrics: Bool) -> Router<MintRequestContext> {
    let router = Router(context: MintRequestContext.self)
    if metrics { router.add(middleware: MetricsMiddleware()) }
    router.add(middleware: RequestLogMiddleware(level: .debug))
    if let limits = configuration.requestLimits { router.add(middleware: RequestLimitMiddleware(limits: limits)) }
    // The API is public and uses no cookies: any web wallet may call it (preflight requests answered here).
    router.add(middleware: CORSMiddleware(allowOrigin: .all))
    MintRoutes(mint: mint, maxBodySize: configuration.maxBodySize, version: configuration.version).add(to: router)
    router.get("health") { _, _ -> Response in
        do {
            try await mint.store.checkHealth()
            // The ledger decides the status (e-cash works without Lightning); the backend's state is reported.
            var lightning = "ok"
            for backend in mint.backends.all where await backend.health() != nil { lightning = "unavailable" }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok","lightning":""# + lightning + #""}"#)))
        } catch {
            return Response(
                status: .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ledger unavailable"}"#)))
        }
    }
    // The transparency page (Specs/audit.md): the epochs from the ledger, the last published audit from its file.
    let reportPath = configuration.auditReportPath
    router.get("audit") { _, _ -> Response in
        let epochs = try await loadEpochs(mint)
        let report = reportPath.flatMap { try? Data(contentsOf: URL(fileURLWithPath: $0)) }.flatMap { try? JSONDecoder().decode(LedgerAuditReport.self, from: $0) }
        let page = TransparencyPage(
            mintName: mint.settings.info.name, mintPubkey: mint.publicKey.hex, epochs: epochs, report: report, generatedAt: mint.clock.now(),
            liabilities: try? await mint.latestLiabilityEpoch())
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page.html)))
    }
    return router
}

/// Every closed epoch, 1000 at a time (the page plots them all).
func loadEpochs(_ mint: Mint) async throws -> [SignedEpoch] {
    var epochs = [SignedEpoch]()
    while true {
        let page = try await mint.epochs(from: UInt64(epochs.count + 1), limit: 1000)
        epochs += page
        if page.count < 1000 { return epochs }
    }
}

/// `GET /metrics` in Prometheus' text format: the registry's figures, with the business gauges refreshed from the
/// ledger first (`BusinessMetrics`).
public func makeMetricsRouter(registry: PrometheusCollectorRegistry, business: BusinessMetrics) -> Router<BasicRequestContext> {
    let router = Router()
    router.get("metrics") { _, _ -> Response in
        await business.refresh()
        var text = [UInt8]()
        registry.emit(into: &text)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: text)))
    }
    return router
}

/// The metrics listener (`metrics_host`, `metrics_port`): only `/metrics`, apart from the public API.
public func makeMetricsApplication(
    registry: PrometheusCollectorRegistry, business: BusinessMetrics, host: String, port: Int, logger: Logger
) -> some ApplicationProtocol {
    Application(
        router: makeMetricsRouter(registry: registry, business: business),
        configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "Cashew metrics"), logger: logger)
}
