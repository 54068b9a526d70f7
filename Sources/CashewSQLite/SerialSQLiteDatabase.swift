import Foundation
import Logging
import SQLiteNIO

/// One SQLite file on one connection, used by one task at a time: write transactions (`BEGIN IMMEDIATE`, rolled back
/// if their body throws) and reads take the connection in turn. WAL journal with `synchronous = FULL`, so that a
/// committed transaction survives power loss; a 10 s busy timeout for other processes on the same file.
public struct SerialSQLiteDatabase: Sendable {
    /// The connection, closed by `close()`; if every copy of this value is dropped without that, the connection
    /// is closed in the background (see `ConnectionOwner`).
    public var connection: SQLiteConnection { owner.connection }
    let owner: ConnectionOwner
    let mutex = AsyncMutex()

    init(connection: SQLiteConnection) {
        owner = ConnectionOwner(connection)
    }

    /// Owns the connection for all copies of the database value. A database dropped without `close()` (a task
    /// cancelled or failed between open and close) would leak the file handle, and in debug builds SQLiteNIO asserts
    /// in the connection's deinit, which takes the whole process down with it (a failing test became a crashed test
    /// run). The close started here keeps the connection alive until it has run.
    final class ConnectionOwner: Sendable {
        let connection: SQLiteConnection
        init(_ connection: SQLiteConnection) { self.connection = connection }
        deinit {
            guard !connection.isClosed else { return }
            connection.logger.warning("an SQLite database was dropped without being closed; closing it")
            _ = connection.close()
        }
    }

    /// Opens (creating if needed) the database at `path`; `":memory:"` gives a private in-memory one. `pragmas` run
    /// after the standard ones.
    public static func open(path: String, logger: Logger, pragmas: [String] = []) async throws -> SerialSQLiteDatabase {
        let storage: SQLiteConnection.Storage = path == ":memory:" ? .memory : .file(path: path)
        let connection = try await SQLiteConnection.open(storage: storage, logger: logger)
        do {
            for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA busy_timeout = 10000"] + pragmas {
                _ = try await connection.query(pragma)
            }
        } catch {
            try? await connection.close()
            throw error
        }
        return SerialSQLiteDatabase(connection: connection)
    }

    /// Opens the existing database at `path` read-only (an SQLite URI with `mode=ro`): SQLite refuses every write,
    /// and a missing file is an error rather than a new empty database.
    public static func openReadOnly(path: String, logger: Logger) async throws -> SerialSQLiteDatabase {
        guard FileManager.default.fileExists(atPath: path) else {
            throw MissingDatabaseError(path: path)
        }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#")
        let uri = "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute) + "?mode=ro"
        let connection = try await SQLiteConnection.open(storage: .file(path: uri), logger: logger)
        do {
            _ = try await connection.query("PRAGMA busy_timeout = 10000")
        } catch {
            try? await connection.close()
            throw error
        }
        return SerialSQLiteDatabase(connection: connection)
    }

    /// Closes the connection.
    public func close() async throws { try await connection.close() }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction (rolled back if it throws). A transaction that is not
    /// `durable` commits with `synchronous = NORMAL`: no fsync of its own (the next durable commit syncs it), so a
    /// power loss may undo it but never corrupts the file; for data that is a copy, such as cached answers.
    public func transaction<T: Sendable>(durable: Bool = true, _ body: (SQLiteConnection) async throws -> T) async throws -> T {
        try await mutex.withLock {
            if !durable { _ = try await connection.query("PRAGMA synchronous = NORMAL") }
            let outcome: Result<T, any Error>
            do {
                _ = try await connection.query("BEGIN IMMEDIATE")
                do {
                    let result = try await body(connection)
                    _ = try await connection.query("COMMIT")
                    outcome = .success(result)
                } catch {
                    _ = try? await connection.query("ROLLBACK")
                    outcome = .failure(error)
                }
            } catch {
                outcome = .failure(error)
            }
            // Back to FULL before anyone else takes the connection: every other commit stays durable.
            if !durable { _ = try await connection.query("PRAGMA synchronous = FULL") }
            return try outcome.get()
        }
    }

    /// A read outside a transaction, holding the connection.
    public func read<T: Sendable>(_ body: (SQLiteConnection) async throws -> T) async throws -> T {
        try await mutex.withLock { try await body(connection) }
    }
}

/// `openReadOnly` found no file to open.
public struct MissingDatabaseError: Error, CustomStringConvertible {
    public let path: String
    public var description: String { "no ledger at \(path)" }
}
