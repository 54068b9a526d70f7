/// Bounds of the NUT-17 websocket (Specs/configuration.md, `ws_*`): every one holds per process.
public struct SubscriptionLimits: Sendable {
    /// Open websockets per client address.
    public var connectionsPerClient = 10
    /// Subscriptions open at once on one websocket.
    public var subscriptionsPerConnection = 50
    /// Filters (quote IDs or `Y`s) in one subscription.
    public var filtersPerSubscription = 100
    /// Filters on one websocket, over all its subscriptions.
    public var filtersPerConnection = 200
    /// Filters of one client address over all its websockets.
    public var filtersPerClient = 200
    /// Distinct objects followed by the whole process (each is read from the ledger, one point lookup, every
    /// `pollInterval` until it is final).
    public var filtersPerProcess = 1000
    /// A websocket with no subscription for this long is closed.
    public var idleTimeout: Duration = .seconds(120)
    /// How often the mint pings each websocket (a client that does not answer in time is disconnected).
    public var pingInterval: Duration = .seconds(60)
    /// The largest message a client may send, in bytes.
    public var maxMessageSize = 64 << 10
    /// Messages waiting for a client that does not read; one more closes its websocket.
    public var outboundQueue = 1000
    /// How often the objects followed are read from the ledger (changes made by any process show up within this).
    public var pollInterval: Duration = .milliseconds(500)

    public init() {}
}
