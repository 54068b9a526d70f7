import CashewEncoding
import CashuMint
import Logging
import Synchronization

/// The NUT-17 subscriptions of one mint process: which websocket follows which objects, and the last state each
/// was told. A `SubscriptionService` reads every object that can still change from the ledger each `pollInterval`,
/// so a change made by any process (several share one PostgreSQL) reaches every subscriber; final objects are not
/// read again. Sending never waits for a client: each websocket has a bounded queue, and a client that lets it fill
/// is disconnected.
public actor SubscriptionHub {
    /// One websocket's side of the hub.
    final class Connection: Sendable {
        let id: UInt64
        let client: String
        let outbound: AsyncStream<String>.Continuation
        init(id: UInt64, client: String, outbound: AsyncStream<String>.Continuation) {
            self.id = id
            self.client = client
            self.outbound = outbound
        }
    }

    struct Key: Hashable {
        var kind: SubscriptionKind
        var filter: String
    }

    struct Subscription {
        var kind: SubscriptionKind
        var filters: [String]
    }

    /// A request the hub refuses, with its JSON-RPC error code.
    public struct Refusal: Error, Sendable {
        public var code: Int
        public var message: String
    }

    let mint: Mint
    public let limits: SubscriptionLimits
    let logger: Logger
    private var nextID: UInt64 = 0
    private var connections: [UInt64: Connection] = [:]
    private var subscriptions: [UInt64: [String: Subscription]] = [:]
    private var perClient: [String: Int] = [:]
    /// Filters per client address, over its websockets.
    private var clientFilters: [String: Int] = [:]
    private var watchers: [Key: Set<Watcher>] = [:]
    /// The newest state read of each followed object, with the number of the read that found it: reads overlap
    /// (a subscribe's first read and the poll), and only a later read may replace an earlier one.
    private var last: [Key: (payload: SubscriptionPayload, read: UInt64)] = [:]
    private var reads: UInt64 = 0
    /// The client of the websocket being closed (its subscriptions are released after it left `connections`).
    private var closingClient: String?

    struct Watcher: Hashable {
        var connection: UInt64
        var subID: String
    }

    public init(mint: Mint, limits: SubscriptionLimits = SubscriptionLimits(), logger: Logger) {
        self.mint = mint
        self.limits = limits
        self.logger = logger
    }

    /// Registers a websocket of `client`; nil when that client has `connectionsPerClient` open already.
    func open(client: String) -> (Connection, AsyncStream<String>)? {
        guard perClient[client, default: 0] < limits.connectionsPerClient else {
            logger.notice("websocket refused: too many from one client", metadata: ["client": "\(client)", "open": "\(perClient[client, default: 0])"])
            return nil
        }
        perClient[client, default: 0] += 1
        nextID += 1
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingOldest(limits.outboundQueue))
        let connection = Connection(id: nextID, client: client, outbound: continuation)
        connections[connection.id] = connection
        return (connection, stream)
    }

    /// Forgets a websocket and its subscriptions.
    func close(_ id: UInt64) {
        guard let connection = connections.removeValue(forKey: id) else { return }
        closingClient = connection.client
        defer { closingClient = nil }
        connection.outbound.finish()
        perClient[connection.client, default: 1] -= 1
        if perClient[connection.client] == 0 { perClient[connection.client] = nil }
        for (subID, sub) in subscriptions.removeValue(forKey: id) ?? [:] { unwatch(id, subID, sub) }
    }

    private func release(_ client: String, _ count: Int) {
        clientFilters[client, default: count] -= count
        if clientFilters[client] ?? 0 <= 0 { clientFilters[client] = nil }
    }

    /// Closes every websocket (graceful shutdown).
    func closeAll() {
        for id in Array(connections.keys) { close(id) }
    }

    /// Whether the websocket has no subscription (for its idle timeout).
    func isIdle(_ id: UInt64) -> Bool { subscriptions[id]?.isEmpty ?? true }

    /// Queues `message` for the websocket; a full queue closes it (the client does not read).
    func send(_ message: String, to id: UInt64) {
        guard let connection = connections[id] else { return }
        if case .dropped = connection.outbound.yield(message) {
            logger.notice("websocket closed: the client does not read its notifications", metadata: ["client": "\(connection.client)"])
            close(id)
        }
    }

    /// NUT-17 `subscribe`: answers OK, then sends the current state of every filter that names an object.
    func subscribe(_ id: UInt64, requestID: JSONValue, subID: String, kind: SubscriptionKind, filters: [String]) async throws {
        guard connections[id] != nil else { return }
        let unique = uniqueInOrder(filters)
        var mine = subscriptions[id] ?? [:]
        guard mine[subID] == nil else { throw Refusal(code: -32602, message: "subId \(subID.prefix(64)) is already subscribed") }
        guard !unique.isEmpty else { throw Refusal(code: -32602, message: "filters must not be empty") }
        guard mine.count < limits.subscriptionsPerConnection else {
            throw Refusal(code: -32000, message: "at most \(limits.subscriptionsPerConnection) subscriptions per connection")
        }
        guard unique.count <= limits.filtersPerSubscription else {
            throw Refusal(code: -32602, message: "at most \(limits.filtersPerSubscription) filters per subscription")
        }
        guard mine.values.reduce(0, { $0 + $1.filters.count }) + unique.count <= limits.filtersPerConnection else {
            throw Refusal(code: -32000, message: "at most \(limits.filtersPerConnection) filters per connection")
        }
        guard let client = connections[id]?.client else { return }
        guard clientFilters[client, default: 0] + unique.count <= limits.filtersPerClient else {
            throw Refusal(code: -32000, message: "at most \(limits.filtersPerClient) filters per client")
        }
        let new = unique.filter { watchers[Key(kind: kind, filter: $0)] == nil }.count
        guard watchers.count + new <= limits.filtersPerProcess else {
            throw Refusal(code: -32000, message: "the mint follows too many objects right now: try again later")
        }
        mine[subID] = Subscription(kind: kind, filters: unique)
        subscriptions[id] = mine
        clientFilters[client, default: 0] += unique.count
        send(WebSocketRPC.result(id: requestID, subID: subID), to: id)
        logger.info("websocket subscription", metadata: ["kind": "\(kind.rawValue)", "filters": "\(unique.count)"])
        // The current state first, as NUT-17 asks. The watcher joins only once its first state is known, so the
        // poll cannot tell it a newer state before that one; whichever read is newer wins.
        let me = Watcher(connection: id, subID: subID)
        for filter in unique {
            let key = Key(kind: kind, filter: filter)
            reads += 1
            let read = reads
            let payload = try? await mint.subscriptionPayload(kind, filter: filter)
            guard subscriptions[id]?[subID] != nil else { return }
            // A quote ID that names nothing is not followed (NUT-17 sends nothing for it; quotes exist before anyone
            // can know their IDs). Every `Y` names a proof state.
            guard let payload else { continue }
            watchers[key, default: []].insert(me)
            if let known = last[key], known.read > read {
                send(WebSocketRPC.notification(subID: subID, payload: known.payload.json), to: id)
                continue
            }
            if let known = last[key], known.payload != payload { notify(key, payload, except: me) }
            last[key] = (payload, read)
            send(WebSocketRPC.notification(subID: subID, payload: payload.json), to: id)
        }
    }

    /// NUT-17 `unsubscribe`.
    func unsubscribe(_ id: UInt64, requestID: JSONValue, subID: String) throws {
        guard let sub = subscriptions[id]?.removeValue(forKey: subID) else {
            throw Refusal(code: -32602, message: "no subscription \(subID.prefix(64))")
        }
        unwatch(id, subID, sub)
        send(WebSocketRPC.result(id: requestID, subID: subID), to: id)
    }

    private func unwatch(_ id: UInt64, _ subID: String, _ sub: Subscription) {
        if let client = connections[id]?.client ?? closingClient { release(client, sub.filters.count) }
        for filter in sub.filters {
            let key = Key(kind: sub.kind, filter: filter)
            watchers[key]?.remove(Watcher(connection: id, subID: subID))
            if watchers[key]?.isEmpty ?? false {
                watchers[key] = nil
                last[key] = nil
            }
        }
    }

    private func notify(_ key: Key, _ payload: SubscriptionPayload, except: Watcher? = nil) {
        for w in watchers[key] ?? [] where w != except {
            send(WebSocketRPC.notification(subID: w.subID, payload: payload.json), to: w.connection)
        }
    }

    /// Reads every followed object that can still change and tells its subscribers what changed.
    func poll() async {
        let pending = watchers.keys.filter { !(last[$0]?.payload.final ?? false) }
        for key in pending {
            reads += 1
            let read = reads
            let payload: SubscriptionPayload?
            do {
                payload = try await mint.subscriptionPayload(key.kind, filter: key.filter)
            } catch {
                // The ledger is down: try again next time.
                return
            }
            guard let payload, watchers[key] != nil else { continue }
            if let known = last[key], known.read > read || known.payload == payload { continue }
            last[key] = (payload, read)
            notify(key, payload)
        }
    }

    /// How many objects are followed (for tests and metrics).
    public var followed: Int { watchers.count }
}

/// Order-keeping de-duplication.
/// `items` without repeats, in their first order.
private func uniqueInOrder(_ items: [String]) -> [String] {
    var seen = Set<String>()
    return items.filter { seen.insert($0).inserted }
}
