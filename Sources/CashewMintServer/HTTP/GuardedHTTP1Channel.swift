import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Hummingbird's HTTP/1 channel with the mint's connection guards: `ConnectionGuardHandler` in front of the
/// decoder, `RequestGuardHandler` behind it.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let inner: HTTP1Channel
    let limits: HTTPLimits
    let logger: Logger

    init(responder: @escaping HTTPChannelHandler.Responder, limits: HTTPLimits, maxBodySize: Int, logger: Logger) {
        self.inner = HTTP1Channel(
            responder: responder,
            configuration: .init(additionalChannelHandlers: [RequestGuardHandler(maxBodySize: maxBodySize, logger: logger)]))
        self.limits = limits
        self.logger = logger
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuardHandler(limits: limits, logger: self.logger), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with the mint's connection limits and timeouts.
    static func guardedHTTP1(limits: HTTPLimits, maxBodySize: Int, logger: Logger) -> HTTPServerBuilder {
        .init { responder in GuardedHTTP1Channel(responder: responder, limits: limits, maxBodySize: maxBodySize, logger: logger) }
    }
}
