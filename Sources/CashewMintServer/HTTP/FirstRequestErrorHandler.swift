import CashuProtocol
import Foundation
import NIOCore
import NIOHTTP1

/// Answers malformed HTTP in the NUT error format while a connection's first request is being read. Until then the
/// connection may still become a websocket, so the mint's `RequestGuardHandler` (which answers later requests) is
/// not in the pipeline yet; this handler stands in for it and leaves once a request head has gone through.
final class FirstRequestErrorHandler: ChannelInboundHandler, RemovableChannelHandler {
    /// Its name in the pipeline (a websocket upgrade takes it off by name: frames are not HTTP).
    static let name = "cashew.first-request"

    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parseError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        let tooLarge = parseError == .headerOverflow
        let body = (try? JSONEncoder().encode(CashuError(.notAllowed, tooLarge ? "request headers too large" : "malformed HTTP request"))) ?? Data()
        var head = HTTPResponseHead(version: .http1_1, status: tooLarge ? .requestHeaderFieldsTooLarge : .badRequest)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(body.count))
        head.headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        // Closed once the answer is out; the channel (Sendable) is closed rather than the context (loop-bound).
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
