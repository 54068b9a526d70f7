import Synchronization

/// Per-client token buckets: each client may make `burst` requests at once and `perMinute` a minute sustained.
/// Sharded so that concurrent requests rarely wait on one lock; idle clients' buckets (full again) are dropped
/// once a shard grows, so memory stays bounded by the clients active within a refill time.
public final class TokenBuckets: Sendable {
    public let perMinute: Double
    public let burst: Double

    struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    final class Shard: Sendable {
        let buckets = Mutex<[IPAddress: Bucket]>([:])
    }

    private let shards: [Shard]
    /// A shard with more buckets than this is swept of full (idle) ones.
    private let sweepAbove: Int

    public init(perMinute: Int, burst: Int, shards: Int = 16, sweepAbove: Int = 4096) {
        self.perMinute = Double(perMinute)
        self.burst = Double(max(1, burst))
        self.shards = (0..<shards).map { _ in Shard() }
        self.sweepAbove = sweepAbove
    }

    /// Takes a token for `client`. Returns nil when one was available, else the seconds until one will be.
    public func take(_ client: IPAddress, now: ContinuousClock.Instant = .now) -> Int? {
        let rate = perMinute / 60
        let shard = shards[abs(client.hashValue % shards.count)]
        return shard.buckets.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: burst, updated: now)
            let elapsed = Double((now - bucket.updated).components.seconds) + Double((now - bucket.updated).components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + max(0, elapsed) * rate)
            bucket.updated = now
            let wait: Int?
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                wait = nil
            } else {
                wait = rate > 0 ? max(1, Int(((1 - bucket.tokens) / rate).rounded(.up))) : 60
            }
            buckets[client] = bucket
            if buckets.count > sweepAbove {
                // A bucket that has refilled is the same as no bucket.
                buckets = buckets.filter { _, b in b.tokens + Double((now - b.updated).components.seconds) * rate < burst }
            }
            return wait
        }
    }

    /// Buckets held (for tests and metrics).
    public var count: Int { shards.reduce(0) { $0 + $1.buckets.withLock { $0.count } } }
}

/// Requests in flight, in all and per client: past either limit a request is refused at once rather than queued,
/// so that a flood cannot hold the ledger's connection pool (or the process's memory) for others.
public final class InFlightLimiter: Sendable {
    public let maximum: Int
    public let perClient: Int
    private let state = Mutex<(total: Int, clients: [IPAddress: Int])>((0, [:]))

    public init(maximum: Int, perClient: Int) {
        self.maximum = maximum
        self.perClient = perClient
    }

    public enum Refusal: Sendable { case busy, client }

    /// Enters a request of `client` (nil: not limited per client); `leave` must follow unless this refuses.
    public func enter(_ client: IPAddress?) -> Refusal? {
        state.withLock { s in
            guard s.total < maximum else { return .busy }
            if let client {
                let n = s.clients[client, default: 0]
                guard n < perClient else { return .client }
                s.clients[client] = n + 1
            }
            s.total += 1
            return nil
        }
    }

    public func leave(_ client: IPAddress?) {
        state.withLock { s in
            s.total -= 1
            if let client {
                let n = (s.clients[client] ?? 1) - 1
                s.clients[client] = n > 0 ? n : nil
            }
        }
    }

    public var inFlight: Int { state.withLock { $0.total } }
}

/// Open connections per client address: a client past `perClient` has its new connections closed at once, so that
/// one address cannot take the whole connection cap.
public final class ConnectionsPerClient: Sendable {
    public let perClient: Int
    private let open = Mutex<[IPAddress: Int]>([:])

    public init(perClient: Int) { self.perClient = perClient }

    /// Counts a new connection of `client`; false (and not counted) when it is one too many.
    public func open(_ client: IPAddress) -> Bool {
        open.withLock { o in
            let n = o[client, default: 0]
            guard n < perClient else { return false }
            o[client] = n + 1
            return true
        }
    }

    public func close(_ client: IPAddress) {
        open.withLock { o in
            let n = (o[client] ?? 1) - 1
            o[client] = n > 0 ? n : nil
        }
    }
}
