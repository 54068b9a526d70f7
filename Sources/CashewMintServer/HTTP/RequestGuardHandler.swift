import CashuProtocol
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Per request, between the HTTP decoder and the application: refuses a declared body over the limit at once
/// (413, before a byte of it is read), answers `Expect: 100-continue`, answers parse errors between requests in the
/// NUT error format, and tells `ConnectionGuardHandler` where requests begin and end.
final class RequestGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let maxBodySize: Int
    let logger: Logger
    private var connection: ConnectionGuardHandler?
    /// A request is being read or handled (a parse error now belongs to it, and to the framework).
    private var inRequest = false
    /// A refused request's body is being discarded; the connection closes at its end.
    private var discarding = false

    init(maxBodySize: Int, logger: Logger) {
        self.maxBodySize = maxBodySize
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connection = try? context.pipeline.syncOperations.handler(type: ConnectionGuardHandler.self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if discarding {
            if case .end = part { context.close(promise: nil) }
            return
        }
        switch part {
        case let .head(request):
            inRequest = true
            connection?.requestHead()
            if let length = request.headerFields[.contentLength].flatMap({ Int($0) }), length > maxBodySize {
                refuse(context, status: .contentTooLarge, CashuError(.notAllowed, "request body larger than \(maxBodySize) bytes"))
                // Nothing more is read if the client waits for 100 Continue; otherwise its body is read and dropped, so
                // that it sees the answer rather than a reset connection.
                if Self.expectsContinue(request) { context.close(promise: nil) } else { discarding = true }
                return
            }
            if Self.expectsContinue(request) {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            }
        case .body:
            break
        case .end:
            connection?.requestEnd()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            inRequest = false
            connection?.responseEnd()
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Between requests nothing else is writing: answer in the NUT format and close. Within one, the framework
        // owns the response.
        if let parseError = error as? HTTPParserError, !inRequest, !discarding {
            let status: HTTPResponse.Status = parseError == .headerOverflow ? .requestHeaderFieldsTooLarge : .badRequest
            refuse(context, status: status, CashuError(.notAllowed, status == .badRequest ? "malformed HTTP request" : "request headers too large"))
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }

    /// Writes a NUT error response that closes the connection.
    private func refuse(_ context: ChannelHandlerContext, status: HTTPResponse.Status, _ error: CashuError) {
        let body = (try? JSONEncoder().encode(error)) ?? Data()
        var head = HTTPResponse(status: status)
        head.headerFields[.contentType] = "application/json"
        head.headerFields[.contentLength] = String(body.count)
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    static func expectsContinue(_ request: HTTPRequest) -> Bool {
        request.headerFields[.expect]?.lowercased() == "100-continue"
    }
}
