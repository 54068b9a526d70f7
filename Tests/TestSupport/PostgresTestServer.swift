import CashewEncoding
import Foundation
import PostgresNIO
import Secp256k1

/// The PostgreSQL server tests use, from the environment (`POSTGRES_HOSTNAME`, `POSTGRES_PORT`, `POSTGRES_USER`,
/// `POSTGRES_PASSWORD`, `POSTGRES_DB`, as postgres-nio's own tests do). `scripts/with-postgres.sh` provides one,
/// and the test command sets `CASHEW_REQUIRE_POSTGRES=1` so that its absence fails instead of skipping.
public enum PostgresTestServer {
    public struct Settings: Sendable {
        public let host: String
        public let port: Int
        public let user: String
        public let password: String
        public let database: String

        /// The URL of database `name` on this server.
        public func url(database name: String) -> String {
            "postgres://\(user):\(password)@\(host):\(port)/\(name)"
        }
    }

    public static let settings: Settings? = {
        let env = ProcessInfo.processInfo.environment
        guard let host = env["POSTGRES_HOSTNAME"], let user = env["POSTGRES_USER"] else { return nil }
        return Settings(
            host: host, port: Int(env["POSTGRES_PORT"] ?? "5432") ?? 5432, user: user, password: env["POSTGRES_PASSWORD"] ?? "",
            database: env["POSTGRES_DB"] ?? "postgres")
    }()

    public static var available: Bool { settings != nil }

    /// PgBouncer in transaction pooling mode in front of the server (`PGBOUNCER_PORT`, which the test command sets).
    public static let pgbouncerPort: Int? = ProcessInfo.processInfo.environment["PGBOUNCER_PORT"].flatMap(Int.init)

    /// `url` (a database of this server) reached through PgBouncer instead.
    public static func viaPgBouncer(_ url: String) -> String? {
        guard let pgbouncerPort, let server = settings, var components = URLComponents(string: url) else { return nil }
        components.host = server.host
        components.port = pgbouncerPort
        return components.string
    }

    /// Creates a fresh database on the server, passes its URL to `body`, and drops it afterwards.
    public static func withDatabase<T>(_ body: (String) async throws -> T) async throws -> T {
        guard let server = settings else { throw Interop.Failure(description: "no PostgreSQL server configured (POSTGRES_HOSTNAME, …)") }
        let name = "cashew_test_" + Hex.encode(SecureRandom.bytes(6))
        try await admin(server, "CREATE DATABASE \(name)")
        do {
            let result = try await body(server.url(database: name))
            try await admin(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            return result
        } catch {
            try? await admin(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
    }

    /// Runs `sql` in the test database `url` names (one from `withDatabase`), as the server's user.
    public static func execute(_ sql: String, url: String) async throws {
        guard let server = settings, let name = URL(string: url)?.lastPathComponent, !name.isEmpty else {
            throw Interop.Failure(description: "no PostgreSQL server configured, or no database in \(url)")
        }
        try await admin(server, sql, database: name)
    }

    static func admin(_ server: Settings, _ sql: String, database: String? = nil) async throws {
        let configuration = PostgresClient.Configuration(
            host: server.host, port: server.port, username: server.user, password: server.password, database: database ?? server.database, tls: .disable)
        let client = PostgresClient(configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await Task.sleep(for: .milliseconds(10))
            try await client.query(PostgresQuery(unsafeSQL: sql))
            group.cancelAll()
        }
    }
    public static let required = ProcessInfo.processInfo.environment["CASHEW_REQUIRE_POSTGRES"] == "1"
}
