import Foundation

/// How long an HTTP connection may sit idle or take to send a request, and how many may be open at once.
public struct HTTPLimits: Sendable, Hashable {
    /// A connection with no request in progress (and no byte of the next one) is closed after this.
    public var idleTimeout: Duration
    /// A request's head (request line and headers) must arrive within this of its first byte.
    public var headerTimeout: Duration
    /// A request's body must arrive within this of its head.
    public var bodyTimeout: Duration
    /// Connections accepted at once; past this, new connections wait in the kernel's backlog.
    public var maxConnections: Int

    public init(idleTimeout: Duration = .seconds(60), headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(30),
                maxConnections: Int = HTTPLimits.defaultMaxConnections()) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.maxConnections = maxConnections
    }

    /// The default connection cap: the process's file-descriptor limit less 128 kept for the database pool, files
    /// and the listening socket (at least 16, at most 10,000), so that idle clients can never take the last
    /// descriptor the ledger needs.
    public static func defaultMaxConnections() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return 10_000 }
        return max(16, min(10_000, Int(clamping: limit.rlim_cur) - 128))
    }

    /// Raises the soft file-descriptor limit to the hard one (as servers usually do), so the default cap is as
    /// large as the system allows. Call before `defaultMaxConnections()`.
    public static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
