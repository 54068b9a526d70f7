import CashewEncoding
import CashewMigrations
import CashewSQLite
import CashuCrypto
import CashuMint
import CashuProtocol
import Foundation
import Logging
import SQLiteNIO

/// The mint's ledger in one SQLite file: the zero-setup default for a single mint process.
///
/// One connection, one transaction at a time (`BEGIN IMMEDIATE`), WAL journal with `synchronous = FULL` so that a
/// committed spend survives power loss. Conflicts come from the database's constraints, classified by which
/// statement failed with a constraint error.
public final class SQLiteMintStore: MintStore {
    let database: SerialSQLiteDatabase
    let logger: Logger

    init(database: SerialSQLiteDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Opens (creating if needed) the ledger at `path`; `":memory:"` gives a private in-memory ledger.
    public static func open(path: String, logger: Logger) async throws -> SQLiteMintStore {
        SQLiteMintStore(database: try await SerialSQLiteDatabase.open(path: path, logger: logger, pragmas: ["PRAGMA foreign_keys = OFF"]), logger: logger)
    }

    /// Opens an existing ledger at `path`; with `readOnly`, SQLite itself refuses every write (the auditor).
    public static func open(path: String, logger: Logger, readOnly: Bool) async throws -> SQLiteMintStore {
        guard readOnly else { return try await open(path: path, logger: logger) }
        return SQLiteMintStore(database: try await SerialSQLiteDatabase.openReadOnly(path: path, logger: logger), logger: logger)
    }

    /// Closes the connection.
    public func close() async throws { try await database.close() }

    /// Applies the SQLite migrations that are not yet recorded; returns their names.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await transaction { db in try await SQLiteMigrator.apply(.sqlite, on: db) }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction (rolled back if it throws).
    func transaction<T: Sendable>(durable: Bool = true, _ body: (SQLiteConnection) async throws -> T) async throws -> T {
        try await Self.unavailableUnlessConflict { try await database.transaction(durable: durable, body) }
    }

    /// A read outside a transaction, holding the connection.
    func read<T: Sendable>(_ body: (SQLiteConnection) async throws -> T) async throws -> T {
        try await Self.unavailableUnlessConflict { try await database.read(body) }
    }

    /// Conflicts (`MintStoreError`s raised by the statements) pass through; any other failure (I/O, a closed or busy
    /// database) means the ledger cannot be used right now.
    static func unavailableUnlessConflict<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as MintStoreError {
            throw error
        } catch let error as SQLiteError {
            throw MintStoreError(.unavailable, "SQLite: \(error.reason)")
        } catch {
            throw MintStoreError(.unavailable, "SQLite: \(error)")
        }
    }

    static func isConstraint(_ error: any Error) -> Bool {
        guard let e = error as? SQLiteError else { return false }
        switch e.reason {
        case .constraint, .constraintPrimaryKeyFailed, .constraintUniqueFailed: return true
        default: return false
        }
    }

    /// `?, ?, …` groups for a multi-row insert.
    static func placeholders(rows: Int, columns: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        return Array(repeating: row, count: rows).joined(separator: ", ")
    }

    static func list(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }
}
