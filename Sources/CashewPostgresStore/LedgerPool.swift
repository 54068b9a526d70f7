import CashuMint
import Logging
import PostgresNIO
import Synchronization

/// The PostgreSQL connection pool, replaced when it is stuck.
///
/// After a long outage postgres-nio's pool retries connecting ever more slowly (100 ms × 1.25ⁿ, up to a minute
/// apart), so a mint could stay unavailable for most of a minute after its database came back. When leases have
/// been failing for a while, a failing request probes the server with a connection of its own (at most every two
/// seconds); if the server answers, the pool is replaced by a fresh one, which connects at once.
final class LedgerPool: Sendable {
    let configuration: PostgresClient.Configuration
    let probeConfiguration: @Sendable () throws -> PostgresConnection.Configuration
    let logger: Logger

    struct Current {
        var client: PostgresClient
        var runner: Task<Void, Never>
        /// When leases started failing (nil while they succeed).
        var failingSince: ContinuousClock.Instant?
        var lastProbe: ContinuousClock.Instant?
    }

    let current: Mutex<Current>

    /// How long leases must have been failing before a probe, and the least time between probes.
    static let probeAfter: Duration = .seconds(3)
    static let probeEvery: Duration = .seconds(2)

    init(configuration: PostgresClient.Configuration, probeConfiguration: @escaping @Sendable () throws -> PostgresConnection.Configuration, logger: Logger) {
        self.configuration = configuration
        self.probeConfiguration = probeConfiguration
        self.logger = logger
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        // The pool's run loop lives as long as the pool (the store's lifetime); `close()` ends it.
        current = Mutex(Current(client: client, runner: Task { await client.run() }, failingSince: nil, lastProbe: nil))
    }

    /// The pool to lease from now.
    var client: PostgresClient { current.withLock { $0.client } }

    /// A lease succeeded: the pool works.
    func leased() {
        current.withLock { if $0.failingSince != nil { $0.failingSince = nil } }
    }

    /// A lease failed for want of a connection. Returns whether this caller should probe the server now.
    func leaseFailed(now: ContinuousClock.Instant = .now) -> Bool {
        current.withLock { c in
            guard let since = c.failingSince else {
                c.failingSince = now
                return false
            }
            guard now - since >= Self.probeAfter, c.lastProbe.map({ now - $0 >= Self.probeEvery }) ?? true else { return false }
            c.lastProbe = now
            return true
        }
    }

    /// Probes the server and, if it answers, replaces the pool (the old one is shut down; requests still waiting on
    /// it are answered unavailable).
    func recover() async {
        do {
            try await probe()
        } catch {
            return
        }
        let fresh = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runner = Task { await fresh.run() }
        let old = current.withLock { c -> Task<Void, Never> in
            let old = c.runner
            c = Current(client: fresh, runner: runner, failingSince: nil, lastProbe: nil)
            return old
        }
        old.cancel()
        logger.notice("PostgreSQL answers again: replaced the connection pool, which was still backing off")
    }

    /// Opens one connection of its own, runs `SELECT 1` and closes it.
    func probe() async throws {
        let connection = try await PostgresConnection.connect(configuration: try probeConfiguration(), id: 0, logger: logger)
        do {
            _ = try await connection.query("SELECT 1", logger: logger).get()
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }

    /// Shuts the pool down.
    func close() async {
        let runner = current.withLock { $0.runner }
        runner.cancel()
        await runner.value
    }
}
