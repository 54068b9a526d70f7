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
    let client: PostgresClient
    let runner: Task<Void, Never>
    let logger: Logger
    /// Group commit of swaps.
    let swapWriter: SwapWriter

    /// Connects to `url` (`postgres://user:password@host:port/database[?sslmode=…&sslrootcert=…]`) with a pool of at
    /// most `maxConnections`. `sslmode` follows libpq: `disable` (the default), `prefer`, `require` (encrypted, not
    /// verified), `verify-ca`, `verify-full`; `sslrootcert` names a PEM file of trusted roots (else the system's).
    public init(url: String, maxConnections: Int = 16, logger: Logger) throws {
        guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme ?? ""), let host = parts.host else {
            throw MintStoreError(.unavailable, "not a postgres:// URL")
        }
        let database = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        var configuration = PostgresClient.Configuration(
            host: host, port: parts.port ?? 5432, username: parts.percentEncodedUser?.removingPercentEncoding ?? "postgres",
            password: parts.percentEncodedPassword?.removingPercentEncoding, database: database.isEmpty ? nil : database,
            tls: try Self.tls(parts.queryItems ?? []))
        configuration.options.maximumConnections = max(1, maxConnections)
        configuration.options.minimumConnections = 0
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.runner = Task { await client.run() }
        // A few statements in flight, each taking the swaps that queued meanwhile.
        self.swapWriter = SwapWriter(maxInFlight: max(1, min(4, maxConnections / 2)), maxBatch: 64)
    }

    /// The TLS mode of a connection URL's `sslmode` and `sslrootcert` parameters.
    static func tls(_ items: [URLQueryItem]) throws -> PostgresClient.Configuration.TLS {
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

    /// Connects and lets the pool's run loop start before the first query (postgres-nio warns about queries that
    /// come earlier).
    public static func connect(url: String, maxConnections: Int = 16, logger: Logger) async throws -> PostgresMintStore {
        let store = try PostgresMintStore(url: url, maxConnections: maxConnections, logger: logger)
        try await Task.sleep(for: .milliseconds(20))
        return store
    }

    /// Stops the connection pool.
    public func close() async {
        runner.cancel()
        await runner.value
    }

    /// Applies the PostgreSQL migrations not yet recorded, under an advisory lock so that several mint processes
    /// starting at once migrate exactly once. Returns the applied migrations' names.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await client.withTransaction(logger: logger) { connection in
            // 0x636173686577 is "cashew": one lock for everyone migrating this database.
            try await connection.query("SELECT pg_advisory_xact_lock(\(Int64(0x6361_7368_6577)))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)", logger: logger)
            var done = Set<String>()
            for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: logger).decode(String.self) {
                done.insert(name)
            }
            var applied = [String]()
            for migration in try LedgerMigrations.all(.postgres) where !done.contains(migration.name) {
                for statement in LedgerMigrations.statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                let now = Int64(Date().timeIntervalSince1970)
                try await connection.query("INSERT INTO schema_migrations (name, applied_at) VALUES (\(migration.name), \(now))", logger: logger)
                applied.append(migration.name)
            }
            return applied
        }
    }

    /// All rows of a query.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        do {
            var out = [PostgresRandomAccessRow]()
            for try await row in try await client.query(query, logger: logger) { out.append(row.makeRandomAccess()) }
            return out
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
