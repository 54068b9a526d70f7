import CashewPostgresStore
import CashewSQLiteStore
import CashuMint
import Foundation
import Logging

/// The ledger a command works on: SQLite (a path) or PostgreSQL (a URL).
enum Ledger {
    case sqlite(SQLiteMintStore)
    case postgres(PostgresMintStore)

    /// Opens the configured ledger and applies pending migrations; returns the applied migrations' names.
    static func open(_ settings: MintCLISettings, logger: Logger) async throws -> (Ledger, [String]) {
        if settings.isPostgres {
            let store: PostgresMintStore
            do { store = try await PostgresMintStore.connect(
                url: settings.database, maxConnections: settings.databasePoolSize, limits: settings.databaseLimits, logger: logger) } catch {
                throw CLIError("invalid database URL: \(error)")
            }
            do {
                try await store.probe()
                return (.postgres(store), try await store.migrate())
            } catch let error as MintStoreError {
                await store.close()
                throw CLIError("cannot open the PostgreSQL ledger: \(error.message)")
            } catch {
                await store.close()
                throw CLIError("cannot open the PostgreSQL ledger: \(error)")
            }
        }
        let directory = (settings.database as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let store: SQLiteMintStore
        do { store = try await SQLiteMintStore.open(path: settings.database, logger: logger) } catch {
            throw CLIError("cannot open SQLite ledger \(settings.database): \(error)")
        }
        do {
            return (.sqlite(store), try await store.migrate())
        } catch {
            try? await store.close()
            throw CLIError("cannot migrate the ledger: \(error)")
        }
    }

    func close() async {
        switch self {
        case let .sqlite(store): try? await store.close()
        case let .postgres(store): await store.close()
        }
    }
}

/// Work to do with whichever store the ledger is.
protocol LedgerTask {
    associatedtype Output
    func run<Store: MintStore>(_ store: Store) async throws -> Output
}

extension Ledger {
    func run<T: LedgerTask>(_ task: T) async throws -> T.Output {
        switch self {
        case let .sqlite(store): try await task.run(store)
        case let .postgres(store): try await task.run(store)
        }
    }
}
