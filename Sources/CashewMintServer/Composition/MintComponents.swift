import CashewMintComponents
import CashewPostgresStore
import CashewSQLiteStore
import FakeLightning
import CLNBackend
import LNDBackend
import LNbitsBackend

/// The registry: every ledger store and payment backend the mint can be built with. A new one is its own target
/// (with a `component` factory) plus one line here.
public enum MintComponents {
    /// Ledger stores, tried in order against the `database` setting.
    public static let stores: [LedgerStoreFactory] = [
        PostgresMintStore.component,
        SQLiteMintStore.component,
    ]

    /// Payment backends, selected by `lightning_backend`.
    public static let backends: [PaymentBackendFactory] = [
        FakeLightningBackend.component,
        LNbitsBackend.component,
        LNDBackend.component,
        CLNBackend.component,
    ]

    /// The backend factory registered under `name`.
    public static func backend(named name: String) -> PaymentBackendFactory? { backends.first { $0.name == name } }

    /// The store factory that accepts `database`.
    public static func store(for database: String) -> LedgerStoreFactory? { stores.first { $0.accepts(database) } }
}
