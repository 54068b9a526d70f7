import Logging
import NIOCore

/// Closes a connection that sits idle, takes too long to send a request's head, or stalls sending its body.
///
/// It sits first in the pipeline, on raw bytes, so it sees the first byte of a request before the HTTP decoder has
/// a head to show; `RequestGuardHandler`, behind the decoder, tells it where requests begin and end. Each phase
/// has its own deadline; while the mint is handling a request there is none (the handler's own waits are bounded).
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    enum Phase: String {
        /// Between requests: nothing received.
        case idle
        /// A request has started: its head is not complete.
        case head
        /// The head is in: its body is arriving.
        case body
        /// The request is with the mint; the response is not finished.
        case handling
    }

    /// Its name in the pipeline (a websocket upgrade takes it off by name, from any thread).
    static let name = "cashew.connection-guard"

    let limits: HTTPLimits
    let logger: Logger
    private(set) var phase = Phase.idle
    private var deadline: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(limits: HTTPLimits, logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        enter(.idle)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if phase == .idle { enter(.head) }
        context.fireChannelRead(data)
    }

    /// The decoder produced a request head.
    func requestHead() { enter(.body) }

    /// The request's body is complete.
    func requestEnd() { enter(.handling) }

    /// The response is written: the connection is idle again (unless bytes of a next request already came).
    func responseEnd() { enter(.idle) }

    private func enter(_ next: Phase) {
        phase = next
        deadline?.cancel()
        deadline = nil
        let timeout: Duration
        switch next {
        case .idle: timeout = limits.idleTimeout
        case .head: timeout = limits.headerTimeout
        case .body: timeout = limits.bodyTimeout
        case .handling: return
        }
        guard let context else { return }
        deadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: TimeAmount(timeout)) { [weak self] in
            guard let self, let context = self.context else { return }
            self.logger.debug("closing HTTP connection", metadata: ["phase": "\(self.phase.rawValue)", "after": "\(timeout)"])
            context.close(promise: nil)
        }
    }
}
