import Foundation

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
    public static let required = ProcessInfo.processInfo.environment["CASHEW_REQUIRE_POSTGRES"] == "1"
}
