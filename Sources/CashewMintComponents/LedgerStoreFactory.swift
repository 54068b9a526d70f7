import CashuMint

/// How the composition root opens the ledger the `database` setting names: one value per store, listed once in
/// the registry (`MintComponents.stores`).
public struct LedgerStoreFactory: Sendable {
    /// The store's name, for logs.
    public let name: String
    /// The settings keys it reads (beyond the mint's own).
    public let keys: Set<String>
    /// Whether a `database` setting names this store (the first factory that accepts it wins).
    public let accepts: @Sendable (String) -> Bool
    /// Opens the store and checks that it can be used (fails at once, saying why, when it cannot). Migrations
    /// and statements run once the store's `run()` runs.
    public let open: @Sendable (ComponentContext) async throws -> any MintStore

    public init(
        name: String, keys: Set<String>, accepts: @escaping @Sendable (String) -> Bool,
        open: @escaping @Sendable (ComponentContext) async throws -> any MintStore
    ) {
        self.name = name
        self.keys = keys
        self.accepts = accepts
        self.open = open
    }
}
