import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTPTypes

/// Hummingbird's HTTP/1 channel, upgradable to a websocket on `/v1/ws` (NUT-17), with the mint's connection guards:
/// `ConnectionGuardHandler` in front of the decoder (taken off once the connection is a websocket),
/// `RequestGuardHandler` behind it.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let inner: HTTP1WebSocketUpgradeChannel
    let limits: HTTPLimits
    /// Connections per client (nil: not limited), and whose connections are not counted (proxies, exempt clients).
    let perClient: (connections: ConnectionsPerClient, uncounted: [IPRange])?
    let logger: Logger

    init(
        responder: @escaping HTTPChannelHandler.Responder, webSocket: RouterResponder<MintWebSocketContext>, maxMessageSize: Int,
        pingInterval: Duration = .seconds(60), limits: HTTPLimits,
        maxBodySize: Int, perClient: (connections: ConnectionsPerClient, uncounted: [IPRange])?, logger: Logger
    ) {
        self.inner = HTTP1WebSocketUpgradeChannel(
            responder: responder, webSocketResponder: webSocket,
            configuration: WebSocketServerConfiguration(maxFrameSize: maxMessageSize, autoPing: .enabled(timePeriod: pingInterval)),
            additionalChannelHandlers: { [RequestGuardHandler(maxBodySize: maxBodySize, logger: logger)] })
        self.limits = limits
        self.perClient = perClient
        self.logger = logger
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        if let (connections, uncounted) = perClient, let peer = IPAddress(channel.remoteAddress), !uncounted.contains(peer) {
            let client = peer.clientKey
            guard connections.open(client) else {
                self.logger.debug("connection refused: too many from one client", metadata: ["client": "\(client)"])
                channel.close(promise: nil)
                return channel.eventLoop.makeFailedFuture(ChannelError.alreadyClosed)
            }
            channel.closeFuture.whenComplete { _ in connections.close(client) }
        }
        do {
            try channel.pipeline.syncOperations.addHandler(
                ConnectionGuardHandler(limits: limits, logger: self.logger), name: ConnectionGuardHandler.name, position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        let value = inner.setup(channel: channel, logger: logger)
        // The upgradable pipeline is in place now (set up synchronously): malformed first requests get NUT errors.
        do {
            try channel.pipeline.syncOperations.addHandler(FirstRequestErrorHandler(), name: FirstRequestErrorHandler.name)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return value
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with the mint's connection limits and timeouts.
    static func guardedHTTP1(
        limits: HTTPLimits, maxBodySize: Int, perClient: (connections: ConnectionsPerClient, uncounted: [IPRange])?,
        webSocket: RouterResponder<MintWebSocketContext>, maxMessageSize: Int, pingInterval: Duration = .seconds(60), logger: Logger
    ) -> HTTPServerBuilder {
        .init { responder in
            GuardedHTTP1Channel(
                responder: responder, webSocket: webSocket, maxMessageSize: maxMessageSize, pingInterval: pingInterval, limits: limits, maxBodySize: maxBodySize, perClient: perClient,
                logger: logger)
        }
    }
}
