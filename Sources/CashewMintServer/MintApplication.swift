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

    public init(host: String = "127.0.0.1", port: Int = 3338, maxBodySize: Int = 1 << 20, version: String = "Cashew/0.1.0") {
        self.host = host
        self.port = port
        self.maxBodySize = maxBodySize
        self.version = version
    }
}

/// The router of a mint: the Cashu v1 API, `/health` and `/metrics`.
public func makeMintRouter<Store: MintStore, Backend: PaymentBackend>(
    mint: Mint<Store, Backend>, configuration: MintServerConfiguration, metrics: PrometheusCollectorRegistry?
) -> Router<BasicRequestContext> {
    let router = Router()
    if metrics != nil { router.add(middleware: MetricsMiddleware()) }
    router.add(middleware: LogRequestsMiddleware(.debug))
    // The API is public and uses no cookies: any web wallet may call it (preflight requests answered here).
    router.add(middleware: CORSMiddleware(allowOrigin: .all))
    MintRoutes(mint: mint, maxBodySize: configuration.maxBodySize, version: configuration.version).add(to: router)
    router.get("health") { _, _ -> Response in
        do {
            _ = try await mint.store.keysets()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
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
