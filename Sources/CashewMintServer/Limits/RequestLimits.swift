import CashuProtocol
import HTTPTypes
import Hummingbird
import Metrics

/// How much each client may ask of the mint. Rates are per client (its address, or the address a trusted proxy
/// forwards for; IPv6 by /64), with separate buckets for reads and for state-changing requests.
public struct RequestLimitSettings: Sendable, Hashable {
    /// Whether rate limits apply at all (the in-flight limits always do).
    public var enabled = true
    /// Reads (GET, and POST /v1/checkstate and /v1/restore): per minute, and at once.
    public var readsPerMinute = 600
    public var readBurst = 120
    /// State-changing requests (swap, mint and melt quotes, mint, melt): per minute, and at once.
    public var writesPerMinute = 120
    public var writeBurst = 30
    /// Peers whose forwarding header is believed.
    public var trustedProxies: [IPRange] = [IPRange("127.0.0.0/8")!, IPRange("::1")!]
    /// The forwarding header those proxies set (the other is ignored).
    public var forwardedHeader: ClientAddressResolver.Header = .xForwardedFor
    /// Direct peers never rate limited (local tools, health checks): by default the loopback address itself. A
    /// client known only from a forwarding header is never exempt.
    public var exempt: [IPRange] = [IPRange("127.0.0.1")!, IPRange("::1")!]
    /// Requests being handled at once, in all and per client (past them: 503 and 429 at once).
    public var maxInFlight = 512
    public var maxInFlightPerClient = 32
    /// Connections open at once per client address (trusted proxies and exempt clients are not counted).
    public var maxConnectionsPerClient = 256

    public init() {}
}

/// The running limits: the buckets and counters every request of the server shares.
public struct RequestLimits: Sendable {
    public let settings: RequestLimitSettings
    public let resolver: ClientAddressResolver
    let reads: TokenBuckets
    let writes: TokenBuckets
    let inFlight: InFlightLimiter

    public init(_ settings: RequestLimitSettings) {
        self.settings = settings
        self.resolver = ClientAddressResolver(trustedProxies: settings.trustedProxies, header: settings.forwardedHeader)
        self.reads = TokenBuckets(perMinute: settings.readsPerMinute, burst: settings.readBurst)
        self.writes = TokenBuckets(perMinute: settings.writesPerMinute, burst: settings.writeBurst)
        self.inFlight = InFlightLimiter(maximum: settings.maxInFlight, perClient: settings.maxInFlightPerClient)
    }

    /// Whether a request changes state (and takes from the write bucket).
    static func isWrite(_ request: Request) -> Bool {
        guard request.method == .post else { return false }
        let path = request.uri.path
        return !(path.hasSuffix("/v1/checkstate") || path.hasSuffix("/v1/restore"))
    }
}

/// Applies `RequestLimits` in front of every route: 429 with `Retry-After` and a NUT error when a client is over
/// its rate or has too many requests in flight, 503 when the whole mint is at its in-flight limit.
struct RequestLimitMiddleware: RouterMiddleware {
    typealias Context = MintRequestContext
    let limits: RequestLimits
    let refusals: (read: Counter, write: Counter, busy: Counter)

    init(limits: RequestLimits) {
        self.limits = limits
        refusals = (
            Counter(label: "cashew_rate_limited_total", dimensions: [("class", "read")]),
            Counter(label: "cashew_rate_limited_total", dimensions: [("class", "write")]),
            Counter(label: "cashew_rate_limited_total", dimensions: [("class", "in_flight")])
        )
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let (client, forwarded) = limits.resolver.resolve(peer: IPAddress(context.remoteAddress), headers: request.headers)
        // Only a direct peer can be exempt: an address read from a header (even a loopback one) is limited.
        let exempt = !forwarded && (client.map { limits.settings.exempt.contains($0) } ?? true)
        let key = exempt ? nil : client?.clientKey
        if limits.settings.enabled, let key {
            let write = RequestLimits.isWrite(request)
            if let wait = (write ? limits.writes : limits.reads).take(key) {
                (write ? refusals.write : refusals.read).increment()
                throw APIError(
                    CashuError(.notAllowed, "rate limit exceeded: retry in \(wait) s"), status: .tooManyRequests,
                    headers: [.retryAfter: String(wait)])
            }
        }
        switch limits.inFlight.enter(key) {
        case .busy?:
            refusals.busy.increment()
            throw APIError(CashuError(.notAllowed, "the mint is at its limit of requests in flight: retry shortly"), status: .serviceUnavailable, headers: [.retryAfter: "1"])
        case .client?:
            refusals.busy.increment()
            throw APIError(CashuError(.notAllowed, "too many requests in flight from this client"), status: .tooManyRequests, headers: [.retryAfter: "1"])
        case nil:
            break
        }
        defer { limits.inFlight.leave(key) }
        return try await next(request, context)
    }
}
