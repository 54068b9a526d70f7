import CashewMigrations
import CashuMint
import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// The mint's ledger in PostgreSQL: safe for several mint processes on one database.
///
/// Every write that spends proofs or issues signatures is one SQL statement (data-modifying CTEs), so it is atomic
/// and costs one round trip; double spends are decided by the unique keys on `proofs.y` and `blind_signatures.b`
/// and by state conditions in `UPDATE … WHERE state = …` (row locks, re-checked after a concurrent commit). Errors
/// are classified by SQLSTATE and constraint name, never by message text. No table locks are taken.
public final class PostgresMintStore: MintStore {
    /// The connection pool (replaced when it is stuck after an outage).
    let pool: LedgerPool
    let logger: Logger
    /// Every statement runs through these: bounded waits, connections always given back.
    let connections: LedgerConnections
    /// Where the pool connects, for error messages.
    let host: String
    let port: Int
    /// Group commit of swaps.
    let swapWriter: SwapWriter

    /// Connects to `url` (`postgres://user:password@host:port/database[?sslmode=…&sslrootcert=…]`) with a pool of at
    /// most `maxConnections`. `sslmode` follows libpq: `disable` (the default), `prefer`, `require` (encrypted, not
    /// verified), `verify-ca`, `verify-full`; `sslrootcert` names a PEM file of trusted roots (else the system's).
    /// `limits` bound how long and how many requests wait for a connection.
    public init(url: String, maxConnections: Int = 16, limits: PostgresLedgerLimits = .init(), logger: Logger) throws {
        // postgres-nio's trace level logs every message to and from the server, bind values and rows included
        // (quote IDs, proof secrets): it logs at debug at most, whatever the mint's level.
        var logger = logger
        if logger.logLevel < .debug { logger.logLevel = .debug }
        guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme ?? ""), let host = parts.host else {
            throw MintStoreError(.unavailable, "not a postgres:// URL")
        }
        let database = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        let tls = try Self.tlsMode(parts.queryItems ?? [])
        let username = parts.percentEncodedUser?.removingPercentEncoding ?? "postgres"
        let password = parts.percentEncodedPassword?.removingPercentEncoding
        var configuration = PostgresClient.Configuration(
            host: host, port: parts.port ?? 5432, username: username, password: password, database: database.isEmpty ? nil : database,
            tls: tls.client)
        self.host = host
        self.port = parts.port ?? 5432
        let port = self.port
        let probeConfiguration: @Sendable () throws -> PostgresConnection.Configuration = {
            var c = PostgresConnection.Configuration(
                host: host, port: port, username: username, password: password, database: database.isEmpty ? nil : database,
                tls: try tls.connection())
            c.options.connectTimeout = TimeAmount(limits.connectTimeout)
            return c
        }
        configuration.options.maximumConnections = max(1, maxConnections)
        configuration.options.minimumConnections = 0
        configuration.options.connectTimeout = limits.connectTimeout
        let pool = LedgerPool(configuration: configuration, probeConfiguration: probeConfiguration, logger: logger)
        self.pool = pool
        self.logger = logger
        self.connections = LedgerConnections(pool: pool, limits: limits, logger: logger)
        // A few statements in flight, each taking the swaps that queued meanwhile.
        self.swapWriter = SwapWriter(maxInFlight: max(1, min(4, maxConnections / 2)), maxBatch: 64, maxQueued: limits.maxWaiting)
    }

    /// A connection URL's TLS mode, for the pool and for a single connection.
    enum TLSMode: Sendable {
        case disable
        case prefer(TLSConfiguration)
        case require(TLSConfiguration)

        var client: PostgresClient.Configuration.TLS {
            switch self {
            case .disable: .disable
            case let .prefer(c): .prefer(c)
            case let .require(c): .require(c)
            }
        }

        func connection() throws -> PostgresConnection.Configuration.TLS {
            switch self {
            case .disable: .disable
            case let .prefer(c): .prefer(try NIOSSLContext(configuration: c))
            case let .require(c): .require(try NIOSSLContext(configuration: c))
            }
        }
    }

    /// The TLS mode of a connection URL's `sslmode` and `sslrootcert` parameters.
    static func tlsMode(_ items: [URLQueryItem]) throws -> TLSMode {
        func value(_ name: String) -> String? { items.last(where: { $0.name == name })?.value }
        var config = TLSConfiguration.makeClientConfiguration()
        if let root = value("sslrootcert") {
            guard FileManager.default.isReadableFile(atPath: root) else { throw MintStoreError(.unavailable, "sslrootcert \(root) is not readable") }
            config.trustRoots = .file(root)
        }
        switch value("sslmode") ?? "disable" {
        case "disable":
            return .disable
        case "allow", "prefer":
            config.certificateVerification = .none
            return .prefer(config)
        case "require":
            config.certificateVerification = .none
            return .require(config)
        case "verify-ca":
            config.certificateVerification = .noHostnameVerification
            return .require(config)
        case "verify-full":
            config.certificateVerification = .fullVerification
            return .require(config)
        case let other:
            throw MintStoreError(.unavailable, "sslmode \(other.prefix(20)) is not one of disable, allow, prefer, require, verify-ca, verify-full")
        }
    }

    /// A store on `url` (see `init`); its pool connects once `run()` runs.
    public static func connect(
        url: String, maxConnections: Int = 16, limits: PostgresLedgerLimits = .init(), logger: Logger
    ) async throws -> PostgresMintStore {
        try PostgresMintStore(url: url, maxConnections: maxConnections, limits: limits, logger: logger)
    }

    /// Runs the connection pool (and any pool that replaces it after an outage) until cancelled or closed.
    public func run() async throws {
        await pool.run()
    }

    /// Opens one connection of its own, runs `SELECT 1` and closes it, within the connect timeout: so that a
    /// command fails at once, saying why (refused, wrong password, no such database), where the pool would keep
    /// retrying. Classified by SQLSTATE and the driver's error codes, never by message text.
    public func probe() async throws {
        let timeout = connections.limits.connectTimeout
        do {
            try await pool.probe()
        } catch let error as PSQLError {
            throw MintStoreError(.unavailable, Self.explain(error, host: host, port: port, timeout: timeout))
        } catch {
            throw MintStoreError(.unavailable, "cannot connect to PostgreSQL at \(host):\(port): \(type(of: error))")
        }
    }

    /// What a failed connection attempt means for an operator.
    static func explain(_ error: PSQLError, host: String, port: Int, timeout: Duration) -> String {
        let place = "PostgreSQL at \(host):\(port)"
        if let state = error.serverInfo?[.sqlState] {
            switch state {
            case "28P01", "28000": return "\(place) refused the login (SQLSTATE \(state): wrong user name or password, or no pg_hba.conf entry)"
            case "3D000": return "\(place) has no such database (SQLSTATE 3D000)"
            case "53300": return "\(place) has too many connections (SQLSTATE 53300)"
            case "57P03": return "\(place) is starting up or shutting down (SQLSTATE 57P03)"
            default: return "\(place) refused the connection (SQLSTATE \(state))"
            }
        }
        switch error.code {
        case .connectionError:
            if let underlying = error.underlying as? ChannelError, case .connectTimeout = underlying {
                return "cannot connect to \(place) within \(timeout)"
            }
            return "cannot connect to \(place) (\(error.underlying.map { String(describing: $0) } ?? "connection failed"))"
        case .sslUnsupported: return "\(place) does not offer TLS, which sslmode asks for"
        case .authMechanismRequiresPassword: return "\(place) asks for a password and the URL has none"
        default: return "cannot use \(place) (\(error.code))"
        }
    }

    /// Stops the connection pool (`run()` returns).
    public func close() async {
        pool.close()
    }

    /// Applies the PostgreSQL migrations not yet recorded, under an advisory lock so that several mint processes
    /// starting at once migrate exactly once. Returns the applied migrations' names.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await connections.transaction { session in
            // 0x636173686577 is "cashew": one lock for everyone migrating this database.
            _ = try await session.rows("SELECT pg_advisory_xact_lock(\(Int64(0x6361_7368_6577)))")
            _ = try await session.rows("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)")
            let done = Set(try await session.rows("SELECT name FROM schema_migrations").map { try $0.text("name") })
            var applied = [String]()
            for migration in try LedgerMigrations.all(.postgres) where !done.contains(migration.name) {
                for statement in LedgerMigrations.statements(migration.sql) {
                    _ = try await session.rows(PostgresQuery(unsafeSQL: statement))
                }
                let now = Int64(Date().timeIntervalSince1970)
                _ = try await session.rows("INSERT INTO schema_migrations (name, applied_at) VALUES (\(migration.name), \(now))")
                applied.append(migration.name)
            }
            return applied
        }
    }

    /// All rows of a query.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        do {
            return try await connections.rows(query)
        } catch let error as PSQLError {
            throw Self.translate(error)
        }
    }

    /// A health check waits at most half a second for a connection: a load balancer asking wants an answer now.
    public func checkHealth() async throws {
        do {
            _ = try await connections.rows("SELECT 1", acquireTimeout: min(.milliseconds(500), connections.limits.acquireTimeout))
        } catch let error as PSQLError {
            throw Self.translate(error)
        }
    }

    /// The SQLSTATE and constraint of a server error.
    static func serverError(_ error: any Error) -> (state: String, constraint: String?)? {
        if let t = error as? PostgresTransactionError, let inner = t.closureError ?? t.beginError ?? t.commitError {
            return serverError(inner)
        }
        guard let e = error as? PSQLError, let state = e.serverInfo?[.sqlState] else { return nil }
        return (state, e.serverInfo?[.constraintName])
    }

    /// Errors without a more specific meaning: the ledger is unavailable or refused the statement.
    static func translate(_ error: PSQLError) -> MintStoreError {
        if let (state, constraint) = serverError(error) {
            return MintStoreError(.unavailable, "PostgreSQL error \(state)\(constraint.map { " on \($0)" } ?? "")")
        }
        return MintStoreError(.unavailable, "PostgreSQL unavailable: \(error.code)")
    }
}

extension PostgresRandomAccessRow {
    func text(_ column: String) throws -> String { try self[column].decode(String.self) }
    func optionalText(_ column: String) throws -> String? { try self[column].decode(String?.self) }
    func int(_ column: String) throws -> Int64 { try self[column].decode(Int64.self) }
    func optionalInt(_ column: String) throws -> Int64? { try self[column].decode(Int64?.self) }

    /// A BIGINT column that must not be negative. A row edited or corrupted to hold something else is an error,
    /// never a crash.
    func nonNegative(_ column: String) throws -> UInt64 {
        guard let v = UInt64(exactly: try int(column)) else { throw MintStoreError(.unavailable, "column \(column) is negative") }
        return v
    }

    func optionalNonNegative(_ column: String) throws -> UInt64? {
        guard let v = try optionalInt(column) else { return nil }
        guard let u = UInt64(exactly: v) else { throw MintStoreError(.unavailable, "column \(column) is negative") }
        return u
    }

    func uint32(_ column: String) throws -> UInt32 {
        guard let v = UInt32(exactly: try int(column)) else { throw MintStoreError(.unavailable, "column \(column) is out of range") }
        return v
    }

    /// A NUMERIC column selected as `::text`.
    func uint(_ column: String) throws -> UInt64 {
        guard let v = UInt64(try text(column)) else { throw MintStoreError(.unavailable, "column \(column) is not an unsigned integer") }
        return v
    }

    func optionalUInt(_ column: String) throws -> UInt64? {
        guard let t = try optionalText(column) else { return nil }
        guard let v = UInt64(t) else { throw MintStoreError(.unavailable, "column \(column) is not an unsigned integer") }
        return v
    }
}
