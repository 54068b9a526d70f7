import ServiceLifecycle

/// Runs a `SubscriptionHub`: reads the followed objects every `pollInterval`, and at graceful shutdown closes every
/// websocket, so that the HTTP server (stopped after it: it is placed after the server in the group) is not kept
/// waiting by sockets that never end on their own.
public struct SubscriptionService: Service, CustomStringConvertible {
    public let description = "websocket subscriptions"
    let hub: SubscriptionHub

    public init(hub: SubscriptionHub) { self.hub = hub }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await hub.poll()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: hub.limits.pollInterval) }
        }
        await hub.closeAll()
    }
}
