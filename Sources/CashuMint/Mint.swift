import CashuCrypto
import CashuProtocol
import Logging
import Secp256k1

/// The mint: keysets, the ledger and a Lightning backend behind the Cashu v1 operations.
///
/// It is a value that many requests use at once; all shared state lives in the store (the database) and the
/// keyset manager.
public struct Mint<Store: MintStore, Backend: PaymentBackend>: Sendable {
    public let store: Store
    public let backend: Backend
    public let keysets: KeysetManager
    public let settings: MintSettings
    public let clock: MintClock
    public let logger: Logger
    /// The mint's own public key, published in `/v1/info` (derived from the seed at a path of its own).
    public let publicKey: Point
    /// When unpaid mint quotes last asked the backend.
    let quoteChecks: QuoteCheckThrottle

    /// A mint over `store` and `backend` whose keys derive from `master`. Call `start()` before serving.
    public init(store: Store, backend: Backend, master: ExtendedPrivateKey, settings: MintSettings, clock: MintClock = .system, logger: Logger) throws {
        self.store = store
        self.backend = backend
        self.keysets = KeysetManager(master: master)
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.quoteChecks = QuoteCheckThrottle(interval: settings.quoteCheckInterval)
        // A keyset path with the largest unit and keyset index, which no keyset reaches in practice.
        self.publicKey = try master.derive(DerivationPath([.hardened(129372), .hardened(0x7FFF_FFFF), .hardened(0x7FFF_FFFF)])).publicKey
    }

    /// Loads the keysets and makes sure each configured unit has an active keyset with the configured fee,
    /// denominations and ID version, creating (rotating to) a new one when it does not. Units no longer configured
    /// stop signing but stay redeemable.
    public func start() async throws {
        for unit in settings.units where !backend.units.contains(unit) {
            throw CashuError(.unitNotSupported, "the payment backend does not support unit \(unit)")
        }
        try keysets.load(try await store.keysets())
        for unit in settings.units {
            if let active = keysets.active(unit: unit), active.record.inputFeePPK == settings.inputFeePPK,
               active.record.amounts == MintKeyset.powersOfTwo(count: settings.denominations),
               active.record.idVersion == settings.keysetIDVersion
            {
                continue
            }
            let created = try await rotate(unit: unit, inputFeePPK: settings.inputFeePPK)
            logger.info("created keyset", metadata: ["unit": "\(unit)", "keyset": "\(created.id)", "fee_ppk": "\(created.inputFeePPK)"])
        }
        for entry in keysets.all() where entry.record.active && !settings.units.contains(entry.record.unit) {
            try await store.deactivateKeysets(unit: entry.record.unit)
        }
        try keysets.load(try await store.keysets())
    }

    /// Creates the next keyset of `unit` and makes it the active one; the previous keyset stays valid for
    /// redemption but signs nothing new.
    @discardableResult
    public func rotate(unit: CurrencyUnit, inputFeePPK: UInt64, finalExpiry: UInt64? = nil) async throws -> KeysetRecord {
        let existing = try await store.keysets().filter { $0.unit == unit }
        let last = existing.map(\.derivationIndex).max()
        guard last.map({ $0 < 0x7FFF_FFFE }) ?? true else { throw CashuError(.transactionError, "no keyset index left for unit \(unit)") }
        let index = last.map { $0 + 1 } ?? 0
        let record = try keysets.makeKeyset(
            unit: unit, index: index, inputFeePPK: inputFeePPK, denominations: settings.denominations,
            idVersion: settings.keysetIDVersion, finalExpiry: finalExpiry, now: clock.now())
        do {
            try await store.addKeyset(record)
        } catch let error as MintStoreError where error.code == .duplicate {
            // Another mint process on the same database created the same (deterministic) keyset first.
            logger.info("keyset already created by another process", metadata: ["keyset": "\(record.id)"])
        }
        try keysets.load(try await store.keysets())
        return record
    }

    /// Reloads keysets from the ledger (another process may have rotated them).
    public func reloadKeysets() async throws {
        try keysets.load(try await store.keysets())
    }
}
