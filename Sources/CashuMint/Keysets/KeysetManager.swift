import CashuCrypto
import CashuProtocol
import Secp256k1
import Synchronization

/// The mint's keysets in memory: private keys derived from the master key and the stored derivation data.
///
/// Keysets change rarely (rotation), so reads take a short lock on an immutable snapshot.
public final class KeysetManager: Sendable {
    /// A keyset with its ledger metadata.
    public struct Entry: Sendable {
        public let keyset: MintKeyset
        public let record: KeysetRecord
    }

    struct Snapshot: Sendable {
        var byID: [KeysetID: Entry] = [:]
        var activeByUnit: [CurrencyUnit: KeysetID] = [:]
    }

    private let master: ExtendedPrivateKey
    private let snapshot = Mutex(Snapshot())

    /// A manager for the master key; load keysets with `load(_:)`.
    public init(master: ExtendedPrivateKey) {
        self.master = master
    }

    /// Derives the private keys of `records` and makes them the current keysets. Each keyset's ID is re-derived
    /// and must match the stored ID, so a wrong seed is caught before anything is signed.
    public func load(_ records: [KeysetRecord]) throws {
        var next = Snapshot()
        for record in records {
            let keyset = try derive(record)
            next.byID[record.id] = Entry(keyset: keyset, record: record)
            if record.active { next.activeByUnit[record.unit] = record.id }
        }
        snapshot.withLock { $0 = next }
    }

    func derive(_ record: KeysetRecord) throws -> MintKeyset {
        let keyset = try MintKeyset(
            master: master, path: record.derivationPath, unit: record.unit, amounts: record.amounts,
            inputFeePPK: record.inputFeePPK, finalExpiry: record.finalExpiry, idVersion: record.idVersion)
        guard keyset.id == record.id else {
            throw CashuError(.notAllowed, "keyset \(record.id) does not derive from this seed (got \(keyset.id)); wrong seed?")
        }
        return keyset
    }

    /// A new keyset record for `unit` at index `index` (not stored; the caller stores it, then reloads).
    public func makeKeyset(
        unit: CurrencyUnit, index: UInt32, inputFeePPK: UInt64, denominations: Int, idVersion: KeysetID.Version, finalExpiry: UInt64?, now: UInt64
    ) throws -> KeysetRecord {
        let path = try MintKeyset.path(unit: unit, index: index)
        let amounts = MintKeyset.powersOfTwo(count: denominations)
        let keyset = try MintKeyset(
            master: master, path: path, unit: unit, amounts: amounts, inputFeePPK: inputFeePPK, finalExpiry: finalExpiry, idVersion: idVersion)
        return KeysetRecord(
            id: keyset.id, unit: unit, active: true, inputFeePPK: inputFeePPK, finalExpiry: finalExpiry, derivationPath: path,
            derivationIndex: index, amounts: amounts, idVersion: idVersion, validFrom: now,
            publicKeys: amounts.compactMap { keyset.publicKeys[$0] })
    }

    /// The keyset with this ID.
    public func entry(_ id: KeysetID) -> Entry? { snapshot.withLock { $0.byID[id] } }

    /// The active keyset of a unit.
    public func active(unit: CurrencyUnit) -> Entry? {
        snapshot.withLock { s in s.activeByUnit[unit].flatMap { s.byID[$0] } }
    }

    /// All keysets, ordered by unit then validity.
    public func all() -> [Entry] {
        snapshot.withLock { Array($0.byID.values) }.sorted {
            ($0.record.unit.rawValue, $0.record.validFrom, $0.record.id) < ($1.record.unit.rawValue, $1.record.validFrom, $1.record.id)
        }
    }

    /// The key pair that signs `amount` in keyset `id`.
    public func key(_ id: KeysetID, amount: Amount) -> (privateKey: Scalar, publicKey: Point)? {
        guard let entry = entry(id), let k = entry.keyset.privateKeys[amount], let K = entry.keyset.publicKeys[amount] else { return nil }
        return (k, K)
    }
}
