import CashewMintComponents
import CashuMint
import Foundation

extension SQLiteMintStore {
    /// The SQLite ledger in the registry: any `database` that is not a URL is a file path (created if missing).
    public static let component = LedgerStoreFactory(name: "sqlite", keys: [], accepts: { !$0.contains("://") }) { context in
        if context.readOnly {
            do {
                return try await SQLiteMintStore.open(path: context.database, logger: context.logger, readOnly: true)
            } catch {
                throw ComponentError("cannot open SQLite ledger \(context.database) read-only: \(error)")
            }
        }
        let directory = (context.database as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            return try await SQLiteMintStore.open(path: context.database, logger: context.logger)
        } catch {
            throw ComponentError("cannot open SQLite ledger \(context.database): \(error)")
        }
    }
}
