import CashewPostgresStore
import CashewSQLiteStore
import CashuMint
import Foundation
import Logging
import NIOPosix
import PostgresNIO
import SQLiteNIO
import TestSupport
import Testing

/// Upgrading a ledger that has data to migration 0007: the running totals start from what the tables hold.
/// Simulated by writing a ledger, removing what 0007 created and its record, and migrating again.
@Suite("Running totals: upgrading a ledger with data")
struct RunningTotalsUpgradeTests {
    static let logger = Logger(label: "upgrade-test")

    @Test("SQLite: migration 0007 fills ledger_totals from the existing rows")
    func sqlite() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-upgrade-\(UUID().uuidString).sqlite3").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try await SQLiteMintStore.open(path: path, logger: Self.logger)
        try await store.migrate()
        try await MintStoreConformanceTests.exercise(store)
        let before = try await store.auditTotals()
        try await store.close()

        let db = try await SQLiteConnection.open(storage: .file(path: path), logger: Self.logger)
        for trigger in ["blind_signatures_totals_insert", "blind_signatures_totals_delete", "proofs_totals_insert", "proofs_totals_delete",
                        "proofs_totals_update", "operations_totals_insert", "operations_totals_delete"] {
            _ = try await db.query("DROP TRIGGER \(trigger)")
        }
        _ = try await db.query("DROP TABLE ledger_totals")
        _ = try await db.query("DELETE FROM schema_migrations WHERE name = 'sqlite_0007_ledger_totals'")
        try await db.close()

        let upgraded = try await SQLiteMintStore.open(path: path, logger: Self.logger)
        #expect(try await upgraded.migrate() == ["sqlite_0007_ledger_totals"])
        let running = try await upgraded.ledgerTotals()
        #expect(running.keysets == before.keysets && running.fees == before.fees)
        #expect(try await upgraded.auditTotals().runningMismatches.isEmpty)
        try await upgraded.close()
    }

    @Test("PostgreSQL: migration 0007 fills ledger_totals from the existing rows", .enabled(if: PostgresTestServer.available))
    func postgres() async throws {
        try await PostgresTestServer.withDatabase { url in
            let store = try await PostgresMintStore.connect(url: url, maxConnections: 20, limits: PostgresLedgerLimits(acquireTimeout: .seconds(60)), logger: Self.logger)
            let before = try await store.whileRunning {
                try await store.migrate()
                try await MintStoreConformanceTests.exercise(store)
                let totals = try await store.auditTotals()
                // What 0007 created goes, and so does its record: the ledger is as before the upgrade.
                for statement in [
                    "DROP TABLE ledger_totals",
                    "DROP FUNCTION ledger_totals_signatures_insert, ledger_totals_signatures_delete, ledger_totals_proofs_insert, ledger_totals_proofs_delete, ledger_totals_proofs_update, ledger_totals_operations_insert, ledger_totals_operations_delete CASCADE",
                    "DELETE FROM schema_migrations WHERE name = 'postgres_0007_ledger_totals'",
                ] {
                    try await PostgresTestServer.execute(statement, url: url)
                }
                return totals
            }
            await store.close()
            // A generous acquire timeout: the full test run starves this process for seconds at a time.
            let upgraded = try await PostgresMintStore.connect(
                url: url, maxConnections: 4, limits: PostgresLedgerLimits(acquireTimeout: .seconds(60)), logger: Self.logger)
            try await upgraded.whileRunning {
                #expect(try await upgraded.migrate() == ["postgres_0007_ledger_totals"])
                let running = try await upgraded.ledgerTotals()
                #expect(running.keysets == before.keysets && running.fees == before.fees)
                #expect(try await upgraded.auditTotals().runningMismatches.isEmpty)
            }
            await upgraded.close()
        }
    }
}
