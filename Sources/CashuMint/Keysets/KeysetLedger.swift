import CashuCrypto
import CashuProtocol
import Logging
import Secp256k1

/// The mint's keysets as the ledger holds them: loading, activating and rotating, and the audit. Needs no payment
/// backend, so the operator commands (`keysets`, `audit`) build only this.
public struct KeysetLedger: Sendable {
    public let store: any MintStore
    /// The keys, derived from the seed, of every keyset the ledger knows.
    public let manager: KeysetManager
    /// The settings in force (a rotation through the management API changes a unit's keyset policy).
    public let live: LiveSettings
    public let clock: MintClock
    public let logger: Logger

    public init(store: any MintStore, master: ExtendedPrivateKey, settings: MintSettings, clock: MintClock = .system, logger: Logger) {
        self.init(store: store, master: master, live: LiveSettings(settings), clock: clock, logger: logger)
    }

    public init(store: any MintStore, master: ExtendedPrivateKey, live: LiveSettings, clock: MintClock = .system, logger: Logger) {
        self.store = store
        self.manager = KeysetManager(master: master)
        self.live = live
        self.clock = clock
        self.logger = logger
    }

    public var settings: MintSettings { live.current }

    /// Loads the keysets and makes sure each configured unit has an active keyset with its fee and denominations
    /// (`MintSettings.keysetPolicy`: the configured ones, or a management API rotation's) and the configured ID
    /// version, creating (rotating to) a new one when it does not. Units no longer configured stop signing but stay
    /// redeemable.
    public func activate() async throws {
        let settings = self.settings
        try manager.load(try await store.keysets())
        for unit in settings.units {
            let policy = settings.keysetPolicy(unit)
            if let active = manager.active(unit: unit), active.record.inputFeePPK == policy.inputFeePPK,
               active.record.amounts == MintKeyset.powersOfTwo(count: policy.denominations),
               active.record.idVersion == settings.keysetIDVersion
            {
                continue
            }
            let created = try await rotate(unit: unit, inputFeePPK: policy.inputFeePPK, denominations: policy.denominations)
            logger.info("created keyset", metadata: ["unit": "\(unit)", "keyset": "\(created.id)", "fee_ppk": "\(created.inputFeePPK)"])
        }
        for entry in manager.all() where entry.record.active && !settings.units.contains(entry.record.unit) {
            try await store.deactivateKeysets(unit: entry.record.unit)
        }
        // Keysets from before the ledger kept public keys get them now: auditors without the seed need them.
        var missing = [KeysetID: [Point]]()
        for entry in manager.all() where entry.record.publicKeys == nil {
            missing[entry.record.id] = entry.record.amounts.compactMap { entry.keyset.publicKeys[$0] }
        }
        try await store.fillKeysetPublicKeys(missing)
        try manager.load(try await store.keysets())
    }

    /// Creates the next keyset of `unit` and makes it the active one; the previous keyset stays valid for
    /// redemption but signs nothing new.
    @discardableResult
    public func rotate(unit: CurrencyUnit, inputFeePPK: UInt64, denominations: Int? = nil, finalExpiry: UInt64? = nil) async throws -> KeysetRecord {
        let existing = try await store.keysets().filter { $0.unit == unit }
        let last = existing.map(\.derivationIndex).max()
        guard last.map({ $0 < 0x7FFF_FFFE }) ?? true else { throw CashuError(.transactionError, "no keyset index left for unit \(unit)") }
        let index = last.map { $0 + 1 } ?? 0
        let record = try manager.makeKeyset(
            unit: unit, index: index, inputFeePPK: inputFeePPK, denominations: denominations ?? settings.keysetPolicy(unit).denominations,
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

    /// Rotates `unit` to a new keyset with this input fee and number of denominations (the unit's current ones where
    /// nil) and keeps them as the unit's keyset policy in the ledger's settings overrides, so that `activate()` at
    /// the next start keeps the new keyset instead of rotating back to the configured fee. The policy is saved
    /// first: should the process die before the rotation, the next start creates that keyset.
    @discardableResult
    public func rotateKeepingPolicy(unit: CurrencyUnit, inputFeePPK: UInt64?, denominations: Int?, finalExpiry: UInt64?) async throws -> KeysetRecord {
        try await live.reload(from: store)
        let current = settings.keysetPolicy(unit)
        let policy = KeysetPolicy(inputFeePPK: inputFeePPK ?? current.inputFeePPK, denominations: denominations ?? current.denominations)
        if policy != current {
            let base = live.base
            let configured = KeysetPolicy(inputFeePPK: base.inputFeePPK, denominations: base.denominations)
            try await live.update(in: store, now: clock.now(), validate: Mint.validate) { overrides in
                overrides.setKeysetPolicy(policy == configured ? nil : policy, for: unit)
            }
        }
        return try await rotate(unit: unit, inputFeePPK: policy.inputFeePPK, denominations: policy.denominations, finalExpiry: finalExpiry)
    }

    /// Reloads keysets from the ledger (another process may have rotated them).
    public func reload() async throws {
        try manager.load(try await store.keysets())
    }
}
