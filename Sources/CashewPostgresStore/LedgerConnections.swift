import CashuMint
import Logging
import PostgresNIO
import Synchronization

/// Limits on how the ledger waits for PostgreSQL.
public struct PostgresLedgerLimits: Sendable, Hashable {
    /// How long a request may wait for a pooled connection before it is refused as unavailable (HTTP 503).
    public var acquireTimeout: Duration
    /// How many requests may wait for a connection at once; more are refused at once as unavailable.
    public var maxWaiting: Int
    /// How long opening one connection may take.
    public var connectTimeout: Duration

    public init(acquireTimeout: Duration = .seconds(2), maxWaiting: Int = 512, connectTimeout: Duration = .seconds(2)) {
        self.acquireTimeout = acquireTimeout
        self.maxWaiting = maxWaiting
        self.connectTimeout = connectTimeout
    }
}

/// The pool's connections, leased one statement (or one transaction) at a time, with a bounded wait.
///
/// Every statement runs on a connection leased with `PostgresClient.withConnection`, which gives the connection
/// back when its closure ends, whatever happened. postgres-nio 1.33's own `PostgresClient.query`/`execute` give it
/// back only when the row stream finishes, and a statement that fails after its row stream was created but before
/// the caller attached to it (a unique-key conflict under load does) never finishes it: each such conflict used to
/// leak one connection until the pool was empty and the mint hung (issue 10).
struct LedgerConnections: Sendable {
    let pool: LedgerPool
    let limits: PostgresLedgerLimits
    let logger: Logger
    let waiting = WaitingCount()
    /// Connections leased now (for the pool-usage metric).
    let leased = LeasedCount()

    final class LeasedCount: Sendable {
        let count = Mutex(0)
        func add(_ n: Int) { count.withLock { $0 += n } }
        var value: Int { count.withLock { $0 } }
    }

    /// Requests currently waiting for a connection.
    final class WaitingCount: Sendable {
        let count = Mutex(0)

        func enter(limit: Int) -> Bool {
            count.withLock { n in
                guard n < limit else { return false }
                n += 1
                return true
            }
        }

        func leave() { count.withLock { $0 -= 1 } }
    }

    /// One lease's race between the pool and the timer: exactly one of them wins, and it alone ends the wait.
    final class LeaseRace: Sendable {
        enum State { case waiting, leased, timedOut, ended }
        let state = Mutex(State.waiting)

        /// waiting → `to`; false if the race was already decided.
        func decide(_ to: State) -> Bool {
            state.withLock { s in
                guard s == .waiting else { return false }
                s = to
                return true
            }
        }
    }

    struct TimedOut: Error {}

    /// Runs `body` on a leased connection. Waits at most `limits.acquireTimeout` for the lease, and refuses at once
    /// when `limits.maxWaiting` requests are already waiting; both, and any failure to reach the server, throw
    /// `MintStoreError(.unavailable)`. Server errors (`PSQLError` with an SQLSTATE) pass through for the caller to
    /// classify.
    /// `acquireTimeout`, when given, replaces the configured wait.
    func with<T: Sendable>(
        acquireTimeout: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let timeout = acquireTimeout ?? limits.acquireTimeout
        guard waiting.enter(limit: limits.maxWaiting) else {
            throw MintStoreError(.unavailable, "too many requests are waiting for the ledger")
        }
        let race = LeaseRace()
        let waiting = self.waiting
        let pool = self.pool
        let client = pool.client
        let leased = self.leased
        defer { if race.decide(.ended) { waiting.leave() } }
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await client.withConnection { connection in
                        // Leased after the timer gave up: hand the connection straight back.
                        guard race.decide(.leased) else { throw TimedOut() }
                        waiting.leave()
                        pool.leased()
                        leased.add(1)
                        defer { leased.add(-1) }
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    if race.decide(.timedOut) {
                        waiting.leave()
                        throw TimedOut()
                    }
                    return nil
                }
                while let result = try await group.next() {
                    if let value = result {
                        group.cancelAll()
                        return value
                    }
                }
                throw TimedOut()
            }
        } catch is TimedOut {
            await leaseFailed()
            throw MintStoreError(.unavailable, "no database connection within \(timeout)")
        } catch let error as PSQLError where error.serverInfo?[.sqlState] != nil {
            throw error
        } catch let error as MintStoreError {
            throw error
        } catch let error as PSQLError {
            await leaseFailed()
            throw MintStoreError(.unavailable, "PostgreSQL unavailable: \(error.code)")
        } catch is CancellationError {
            throw MintStoreError(.unavailable, "the ledger request was cancelled")
        } catch is LedgerSession.ConnectionClosed {
            throw MintStoreError(.unavailable, "the database connection closed")
        } catch {
            // ConnectionPoolError (e.g. the circuit breaker after a long outage) and anything else from the driver.
            await leaseFailed()
            throw MintStoreError(.unavailable, "PostgreSQL unavailable: \(type(of: error))")
        }
    }

    /// A request found no usable connection: after a while of that, it checks whether the pool is merely still
    /// backing off from an outage that has ended (see `LedgerPool`).
    func leaseFailed() async {
        if pool.leaseFailed() { await pool.recover() }
    }

    /// All rows of a statement.
    func rows(_ query: PostgresQuery, acquireTimeout: Duration? = nil) async throws -> [PostgresRandomAccessRow] {
        let logger = self.logger
        return try await with(acquireTimeout: acquireTimeout) { connection in
            try await LedgerSession(connection: connection, logger: logger).rows(query)
        }
    }

    /// Runs `body` in a transaction on one leased connection (committed when it returns, rolled back when it
    /// throws).
    func transaction<T: Sendable>(_ body: @escaping @Sendable (LedgerSession) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await with { connection in
            let session = LedgerSession(connection: connection, logger: logger)
            _ = try await session.rows("BEGIN")
            let value: T
            do {
                value = try await body(session)
            } catch {
                _ = try? await session.rows("ROLLBACK")
                throw error
            }
            _ = try await session.rows("COMMIT")
            return value
        }
    }
}

/// Statements on one leased connection.
///
/// Every statement goes through postgres-nio's future-based API and is failed, rather than awaited forever, when
/// its connection turns out to be closed: postgres-nio 1.33 writes a statement to its channel without a promise,
/// so one written to a connection that has just closed is dropped and its answer never comes. The pool can lend
/// such a connection in the moment between its close and the pool hearing of it (PostgreSQL restarting under
/// load), and requests used to hang there forever (issue 10).
struct LedgerSession: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    /// The connection was closed before the statement could be answered.
    struct ConnectionClosed: Error {}

    /// All rows of a statement.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        let connection = self.connection
        let answer = connection.eventLoop.makePromise(of: PostgresQueryResult.self)
        connection.query(query, logger: logger).cascade(to: answer)
        // Runs on the event loop after the write above was handled (writes from outside the loop are queued there in
        // order): a dropped write means the channel was already inactive. A statement the connection did take is
        // failed by it when it closes; completing the promise twice is harmless.
        connection.eventLoop.execute {
            if connection.isClosed { answer.fail(ConnectionClosed()) }
        }
        return try await answer.futureResult.get().rows.map { $0.makeRandomAccess() }
    }
}
