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
    return Application(
        router: router,
        server: .guardedHTTP1(limits: configuration.limits, maxBodySize: configuration.maxBodySize, perClient: perClient, logger: logger),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "Cashew",
            availableConnectionsDelegate: ConnectionCap(maximum: configuration.limits.maxConnections, logger: logger)),
        logger: logger)
}

/// The router of a mint: the Cashu v1 API, `/health` and `/metrics`.
public func makeMintRouter(
    mint: Mint, configuration: MintServerConfiguration, metrics: PrometheusCollectorRegistry?
) -> Router<MintRequestContext> {
    let router = Router(context: MintRequestContext.self)
    if metrics != nil { router.add(middleware: MetricsMiddleware()) }
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
    if let metrics {
        router.get("metrics") { _, _ -> Response in
            var text = [UInt8]()
            metrics.emit(into: &text)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
    }
    return router
}
