import CashuMint
import Logging
import PostgresNIO
import Synchronization

/// The PostgreSQL connection pool, replaced when it is stuck. `run()` runs the pool (and each replacement) as
/// child tasks of the caller, the store's service; nothing runs unstructured.
///
/// After a long outage postgres-nio's pool retries connecting ever more slowly (100 ms × 1.25ⁿ, up to a minute
/// apart), so a mint could stay unavailable for most of a minute after its database came back. When leases have
/// been failing for a while, a failing request probes the server with a connection of its own (at most every two
/// seconds); if the server answers, the pool is replaced by a fresh one, which connects at once.
final class LedgerPool: Sendable {
    let configuration: PostgresClient.Configuration
    let probeConfiguration: @Sendable () throws -> PostgresConnection.Configuration
    let logger: Logger

    /// One pool and the signal that retires it (when it is replaced or the store closes).
    struct Generation: Sendable {
        let client: PostgresClient
        let retired: AsyncStream<Void>
        let retire: AsyncStream<Void>.Continuation

        init(configuration: PostgresClient.Configuration, logger: Logger) {
            client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            (retired, retire) = AsyncStream<Void>.makeStream()
        }

        /// Runs the pool until it is retired or the caller is cancelled.
        func run() async {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                group.addTask { for await _ in retired {} }
                await group.next()
                group.cancelAll()
            }
        }
    }

    struct Current {
        var generation: Generation
        /// When leases started failing (nil while they succeed).
        var failingSince: ContinuousClock.Instant?
        var lastProbe: ContinuousClock.Instant?
    }

    let current: Mutex<Current>
    /// Pools to run: the first one, then each replacement. Finished by `close()`.
    let generations: AsyncStream<Generation>
    let newGeneration: AsyncStream<Generation>.Continuation

    /// How long leases must have been failing before a probe, and the least time between probes.
    static let probeAfter: Duration = .seconds(3)
    static let probeEvery: Duration = .seconds(2)

    init(configuration: PostgresClient.Configuration, probeConfiguration: @escaping @Sendable () throws -> PostgresConnection.Configuration, logger: Logger) {
        self.configuration = configuration
        self.probeConfiguration = probeConfiguration
        self.logger = logger
        let first = Generation(configuration: configuration, logger: logger)
        current = Mutex(Current(generation: first, failingSince: nil, lastProbe: nil))
        (generations, newGeneration) = AsyncStream<Generation>.makeStream()
        newGeneration.yield(first)
    }

    /// Runs the pool, and each pool that replaces it, until cancelled or closed. Leases wait until this runs.
    /// Once per store: cancelling it ends the stream of pools for good (as `close()` does).
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for await generation in generations {
                group.addTask { await generation.run() }
            }
            group.cancelAll()
        }
    }

    /// The pool to lease from now.
    var client: PostgresClient { current.withLock { $0.generation.client } }

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

    /// Probes the server and, if it answers, replaces the pool (the old one is retired; requests still waiting on
    /// it are answered unavailable).
    func recover() async {
        do {
            try await probe()
        } catch {
            return
        }
        let fresh = Generation(configuration: configuration, logger: logger)
        let old = current.withLock { c -> Generation in
            let old = c.generation
            c = Current(generation: fresh, failingSince: nil, lastProbe: nil)
            return old
        }
        newGeneration.yield(fresh)
        old.retire.finish()
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

    /// Shuts the pool down: `run()` returns once the current pool has stopped.
    func close() {
        newGeneration.finish()
        current.withLock { $0.generation }.retire.finish()
    }
}
