import CashuCrypto
import CashuProtocol
import Logging
import Secp256k1

/// The mint: keysets, the ledger and a Lightning backend behind the Cashu v1 operations.
///
/// It is a value that many requests use at once; all shared state lives in the store (the database) and the
/// keyset manager. The store and the backend are seams chosen at run time (`any`): their calls are I/O, next to
/// which dynamic dispatch costs nothing.
public struct Mint: Sendable {
    public let store: any MintStore
    /// The payment backends, and which serves each unit.
    public let backends: PaymentBackends
    /// The keysets as the ledger holds them.
    public let keysetLedger: KeysetLedger
    /// The settings with the management API's overrides (`reloadSettings()` follows other processes' changes).
    public let live: LiveSettings
    public let clock: MintClock
    public let logger: Logger
    /// The mint's own public key, published in `/v1/info` (derived from the seed at a path of its own).
    public let publicKey: Point
    /// Its private key: signs the epochs' commitments.
    let identityKey: Scalar
    /// When unpaid mint quotes last asked the backend.
    let quoteChecks: QuoteCheckThrottle
    /// Melts answered PENDING at once (`prefer_async`), waiting to be paid by `payQueuedMelts()`.
    public let queuedMelts: MeltQueue
    /// The solvency watchdog's last verdict (`checkSolvency()`).
    public let solvency: SolvencyState
    /// Outstanding e-cash per unit for `max_balance`, read from the ledger at most every 2 s.
    let issuance: IssuanceTotals
    /// Sum-MMRs built for proof-of-liabilities inclusion proofs.
    let liabilityTrees: LiabilityTreeCache

    /// A mint over `store` and one `backend` for every unit, whose keys derive from `master`. Call `start()` before
    /// serving.
    public init(
        store: any MintStore, backend: any PaymentBackend, master: ExtendedPrivateKey, settings: MintSettings, clock: MintClock = .system,
        logger: Logger
    ) throws {
        try self.init(store: store, backends: PaymentBackends(backend), master: master, settings: settings, clock: clock, logger: logger)
    }

    /// A mint over `store` and `backends` (one per unit), whose keys derive from `master`.
    public init(
        store: any MintStore, backends: PaymentBackends, master: ExtendedPrivateKey, settings: MintSettings, clock: MintClock = .system,
        logger: Logger
    ) throws {
        self.store = store
        self.backends = backends
        self.live = LiveSettings(settings)
        self.keysetLedger = KeysetLedger(store: store, master: master, live: live, clock: clock, logger: logger)
        self.clock = clock
        self.logger = logger
        self.quoteChecks = QuoteCheckThrottle(interval: settings.quoteCheckInterval)
        self.queuedMelts = MeltQueue()
        self.solvency = SolvencyState()
        self.issuance = IssuanceTotals()
        self.liabilityTrees = LiabilityTreeCache()
        let identity = try master.derive(Self.identityPath)
        self.identityKey = identity.privateKey
        self.publicKey = identity.publicKey
    }

    /// Where the mint's own key derives: a keyset path with the largest unit and keyset index, which no keyset
    /// reaches in practice.
    public static let identityPath = try! DerivationPath([.hardened(129372), .hardened(0x7FFF_FFFF), .hardened(0x7FFF_FFFF)])

    /// The settings in force: the configured ones with the management API's overrides.
    public var settings: MintSettings { live.current }

    /// The default payment backend (the one for every unit no other backend is chosen for).
    public var backend: any PaymentBackend { backends.primary }

    /// The payment backend that serves `unit`.
    public func backend(for unit: CurrencyUnit) -> any PaymentBackend { backends.backend(for: unit) }

    /// The keys of every keyset the ledger knows.
    public var keysets: KeysetManager { keysetLedger.manager }

    /// Loads the management API's setting overrides, checks that the backend takes every configured unit, then
    /// activates the keysets (`KeysetLedger.activate`, which keeps a keyset rotated through the management API).
    public func start() async throws {
        try await reloadSettings()
        for unit in settings.units where !backend(for: unit).units.contains(unit) {
            throw CashuError(.unitNotSupported, "the payment backend \(backend(for: unit).name) does not support unit \(unit)")
        }
        try await keysetLedger.activate()
    }

    /// Creates the next keyset of `unit` and makes it the active one (`KeysetLedger.rotate`).
    @discardableResult
    public func rotate(unit: CurrencyUnit, inputFeePPK: UInt64, finalExpiry: UInt64? = nil) async throws -> KeysetRecord {
        try await keysetLedger.rotate(unit: unit, inputFeePPK: inputFeePPK, finalExpiry: finalExpiry)
    }

    /// Reloads keysets from the ledger (another process may have rotated them).
    public func reloadKeysets() async throws {
        try await keysetLedger.reload()
    }
}
