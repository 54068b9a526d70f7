import CashewMigrations
import Foundation
import SQLiteNIO

/// Applies the SQLite migrations of one flavour that a database has not recorded yet (in its `schema_migrations`
/// table). Call it inside a write transaction, so that a failed migration leaves nothing behind.
public enum SQLiteMigrator {
    /// Applies pending migrations on `db`; returns their names in order.
    public static func apply(_ flavour: LedgerMigrations.Flavour, on db: SQLiteConnection) async throws -> [String] {
        _ = try await db.query("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)")
        let done = Set(try await db.query("SELECT name FROM schema_migrations").compactMap { $0.column("name")?.string })
        var applied = [String]()
        for migration in try LedgerMigrations.all(flavour) where !done.contains(migration.name) {
            for statement in LedgerMigrations.statements(migration.sql) { _ = try await db.query(statement) }
            _ = try await db.query(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                [.text(migration.name), .integer(Int(Date().timeIntervalSince1970))])
            applied.append(migration.name)
        }
        return applied
    }
}
