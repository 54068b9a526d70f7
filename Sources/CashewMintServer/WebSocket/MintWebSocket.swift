import CashewEncoding
import CashuMint
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// The request context of the websocket upgrade: the peer's address, for the per-client limit.
public struct MintWebSocketContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    public let remoteAddress: SocketAddress?
    /// The connection, so that its HTTP guard can be taken off once it is a websocket.
    let channel: any Channel

    public init(source: Source) {
        coreContext = .init(source: source)
        webSocket = .init()
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }
}

/// `GET /v1/ws` (NUT-17): JSON-RPC subscribe/unsubscribe over a websocket, served from a `SubscriptionHub`.
struct MintWebSocket: Sendable {
    let hub: SubscriptionHub
    let resolver: ClientAddressResolver?

    /// The router that answers upgrade requests: `/v1/ws` only.
    func router() -> Router<MintWebSocketContext> {
        let router = Router(context: MintWebSocketContext.self)
        router.ws("v1/ws") { request, context in
            // The HTTP timeouts end with the upgrade: a websocket waits quietly for notifications (auto-ping and the
            // idle rule below bound it instead).
            context.channel.pipeline.removeHandler(name: ConnectionGuardHandler.name, promise: nil)
            context.channel.pipeline.removeHandler(name: FirstRequestErrorHandler.name, promise: nil)
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let peer = IPAddress(context.requestContext.remoteAddress)
            let client = resolver.map { $0.client(peer: peer, headers: context.request.headers) } ?? peer
            try await serve(inbound, outbound, client: client.map { "\($0.clientKey)" } ?? "unknown")
        }
        return router
    }

    func serve(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, client: String) async throws {
        let limits = hub.limits
        guard let (connection, queue) = await hub.open(client: client) else {
            try? await outbound.close(.policyViolation, reason: "too many websockets from one client")
            return
        }
        let id = connection.id
        let hub = self.hub
        await withTaskGroup(of: Void.self) { group in
            // Writer: the hub's queue to the socket; the queue ends when the hub drops the connection.
            group.addTask {
                for await message in queue {
                    do { try await outbound.write(.text(message)) } catch { return }
                }
            }
            // Reader: one JSON-RPC request per text message; a malformed one gets an error and the socket stays open.
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: limits.maxMessageSize) {
                        guard case let .text(text) = message else {
                            await hub.send(WebSocketRPC.error(id: .null, code: -32600, message: "invalid request: send text messages"), to: id)
                            continue
                        }
                        await Self.handle(text, connection: id, hub: hub)
                    }
                } catch {
                    // Closed, or a message over the limit: the socket ends.
                }
            }
            // Idle rule: a websocket without any subscription for `idleTimeout` is closed.
            group.addTask {
                let clock = ContinuousClock()
                var idleSince: ContinuousClock.Instant? = clock.now
                while !Task.isCancelled {
                    try? await Task.sleep(for: min(limits.idleTimeout, .seconds(1)))
                    if await hub.isIdle(id) {
                        if let since = idleSince, clock.now - since >= limits.idleTimeout { return }
                        if idleSince == nil { idleSince = clock.now }
                    } else {
                        idleSince = nil
                    }
                }
            }
            _ = await group.next()
            group.cancelAll()
        }
        await hub.close(id)
        try? await outbound.close(.normalClosure, reason: nil)
    }

    static func handle(_ text: String, connection id: UInt64, hub: SubscriptionHub) async {
        let request: WebSocketRPC.Request
        do {
            request = try WebSocketRPC.parse(text)
        } catch {
            await hub.send(WebSocketRPC.error(id: error.id, code: error.code, message: error.message), to: id)
            return
        }
        // A refusal is the hub's JSON-RPC error; anything else an internal error, with the request's ID either way.
        func answering(_ requestID: JSONValue, _ body: () async throws -> Void) async {
            do {
                try await body()
            } catch let refusal as SubscriptionHub.Refusal {
                await hub.send(WebSocketRPC.error(id: requestID, code: refusal.code, message: refusal.message), to: id)
            } catch {
                await hub.send(WebSocketRPC.error(id: requestID, code: -32603, message: "internal error"), to: id)
            }
        }
        switch request {
        case let .subscribe(requestID, kind, subID, filters):
            await answering(requestID) { try await hub.subscribe(id, requestID: requestID, subID: subID, kind: kind, filters: filters) }
        case let .unsubscribe(requestID, subID):
            await answering(requestID) { try await hub.unsubscribe(id, requestID: requestID, subID: subID) }
        }
    }
}
