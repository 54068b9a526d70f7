import CashuCrypto
import CashuProtocol
import Logging

/// The mint's keysets as the ledger holds them: loading, activating and rotating, and the audit. Needs no payment
/// backend, so the operator commands (`keysets`, `audit`) build only this.
public struct KeysetLedger: Sendable {
    public let store: any MintStore
    /// The keys, derived from the seed, of every keyset the ledger knows.
    public let manager: KeysetManager
    public let settings: MintSettings
    public let clock: MintClock
    public let logger: Logger

    public init(store: any MintStore, master: ExtendedPrivateKey, settings: MintSettings, clock: MintClock = .system, logger: Logger) {
        self.store = store
        self.manager = KeysetManager(master: master)
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    /// Loads the keysets and makes sure each configured unit has an active keyset with the configured fee,
    /// denominations and ID version, creating (rotating to) a new one when it does not. Units no longer configured
    /// stop signing but stay redeemable.
    public func activate() async throws {
        try manager.load(try await store.keysets())
        for unit in settings.units {
            if let active = manager.active(unit: unit), active.record.inputFeePPK == settings.inputFeePPK,
               active.record.amounts == MintKeyset.powersOfTwo(count: settings.denominations),
               active.record.idVersion == settings.keysetIDVersion
            {
                continue
            }
            let created = try await rotate(unit: unit, inputFeePPK: settings.inputFeePPK)
            logger.info("created keyset", metadata: ["unit": "\(unit)", "keyset": "\(created.id)", "fee_ppk": "\(created.inputFeePPK)"])
        }
        for entry in manager.all() where entry.record.active && !settings.units.contains(entry.record.unit) {
            try await store.deactivateKeysets(unit: entry.record.unit)
        }
        try manager.load(try await store.keysets())
    }

    /// Creates the next keyset of `unit` and makes it the active one; the previous keyset stays valid for
    /// redemption but signs nothing new.
    @discardableResult
    public func rotate(unit: CurrencyUnit, inputFeePPK: UInt64, finalExpiry: UInt64? = nil) async throws -> KeysetRecord {
        let existing = try await store.keysets().filter { $0.unit == unit }
        let last = existing.map(\.derivationIndex).max()
        guard last.map({ $0 < 0x7FFF_FFFE }) ?? true else { throw CashuError(.transactionError, "no keyset index left for unit \(unit)") }
        let index = last.map { $0 + 1 } ?? 0
        let record = try manager.makeKeyset(
            unit: unit, index: index, inputFeePPK: inputFeePPK, denominations: settings.denominations,
            idVersion: settings.keysetIDVersion, finalExpiry: finalExpiry, now: clock.now())
        do {
            try await store.addKeyset(record)
        } catch let error as MintStoreError where error.code == .duplicate {
            // Another mint process on the same database created the same (deterministic) keyset first.
            logger.info("keyset already created by another process", metadata: ["keyset": "\(record.id)"])
        }
        try manager.load(try await store.keysets())
        return record
    }

    /// Reloads keysets from the ledger (another process may have rotated them).
    public func reload() async throws {
        try manager.load(try await store.keysets())
    }
}
