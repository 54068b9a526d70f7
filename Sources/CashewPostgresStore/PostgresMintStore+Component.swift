import CashewMintComponents
import CashuMint

extension PostgresMintStore {
    /// The PostgreSQL ledger in the registry: a `postgres://` or `postgresql://` URL.
    public static let component = LedgerStoreFactory(
        name: "postgres",
        keys: ["database_pool_size", "database_acquire_timeout", "database_max_waiting", "database_connect_timeout"],
        accepts: { $0.hasPrefix("postgres://") || $0.hasPrefix("postgresql://") }
    ) { context in
        let s = context.settings
        let poolSize = try s.int("database_pool_size", default: 16)
        guard (1...1000).contains(poolSize) else { throw context.invalid("database_pool_size must be between 1 and 1000") }
        let limits = PostgresLedgerLimits(
            acquireTimeout: try s.seconds("database_acquire_timeout", default: 2, in: 0.05...600),
            maxWaiting: try s.int("database_max_waiting", default: 512),
            connectTimeout: try s.seconds("database_connect_timeout", default: 5, in: 0.1...600))
        guard (1...1_000_000).contains(limits.maxWaiting) else { throw context.invalid("database_max_waiting must be between 1 and 1000000") }
        let store: PostgresMintStore
        do {
            store = try PostgresMintStore(url: context.database, maxConnections: poolSize, limits: limits, logger: context.logger)
        } catch {
            throw ComponentError("invalid database URL: \(error)")
        }
        do {
            // One connection of its own, so that a bad URL, password or database fails now, saying why.
            try await store.probe()
        } catch let error as MintStoreError {
            await store.close()
            throw ComponentError("cannot open the PostgreSQL ledger: \(error.message)")
        }
        return store
    }
}
