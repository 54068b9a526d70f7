import CashewSQLite
import Foundation
import Logging
import SQLiteNIO
import Testing

@Suite("SQLite database handle")
struct SerialSQLiteDatabaseTests {
    /// A test that fails between opening and closing a store drops it unclosed. SQLiteNIO asserts in the dropped
    /// connection's deinit in debug builds, which ended a whole test run with no report; the database now closes it.
    @Test("a database dropped without close() has its connection closed, and what it committed is kept")
    func droppedUnclosed() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-drop-\(UUID().uuidString).sqlite3").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var connection: SQLiteConnection?
        do {
            let db = try await SerialSQLiteDatabase.open(path: path, logger: Logger(label: "drop-test"))
            try await db.transaction { c in
                _ = try await c.query("CREATE TABLE t (x INTEGER)")
                _ = try await c.query("INSERT INTO t VALUES (42)")
            }
            connection = db.connection
        }
        // Only the connection is held here now; the database value is gone.
        for _ in 0..<250 where connection?.isClosed == false { try await Task.sleep(for: .milliseconds(20)) }
        #expect(connection?.isClosed == true)
        connection = nil

        let again = try await SerialSQLiteDatabase.open(path: path, logger: Logger(label: "drop-test"))
        let rows = try await again.read { try await $0.query("SELECT x FROM t") }
        try await again.close()
        #expect(rows.first?.column("x")?.integer == 42)
    }
}
