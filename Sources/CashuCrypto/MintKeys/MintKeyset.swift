import Crypto
import FoundationEssentials
import Secp256k1

/// The private keys of one mint keyset: one scalar per amount, derived from the mint's seed.
///
/// Not `Codable` and redacted in `description`: private keys stay in memory. Only the derivation (path, unit,
/// amounts, fee, expiry) is ever stored.
public struct MintKeyset: Sendable, CustomStringConvertible {
    /// The keyset ID.
    public let id: KeysetID
    /// The unit.
    public let unit: CurrencyUnit
    /// The input fee in parts per thousand per input.
    public let inputFeePPK: UInt64
    /// Unix time after which the keyset expires, if any.
    public let finalExpiry: UInt64?
    /// The BIP-32 path of the keyset node; amount `i` (in ascending order) is at `path/i'`.
    public let derivationPath: DerivationPath
    /// The private key per amount.
    public let privateKeys: [Amount: Scalar]
    /// The public keys.
    public let publicKeys: KeysetKeys

    /// Derives a keyset below `master` at `path`: the key for the i-th amount (ascending) is `path/i'`, as cdk-mintd
    /// and nutshell do. `idVersion` chooses a version `01` (default) or `00` ID.
    public init(
        master: ExtendedPrivateKey, path: DerivationPath, unit: CurrencyUnit, amounts: [Amount],
        inputFeePPK: UInt64 = 0, finalExpiry: UInt64? = nil, idVersion: KeysetID.Version = .v2
    ) throws {
        let node = try master.derive(path)
        var privateKeys = [Amount: Scalar]()
        var publicKeys = [Amount: Point]()
        for (i, amount) in amounts.sorted().enumerated() {
            let key = try node.derive(.hardened(UInt32(i))).privateKey
            privateKeys[amount] = key
            publicKeys[amount] = try key.publicPoint
        }
        let keys = KeysetKeys(publicKeys)
        self.id = idVersion == .v1
            ? KeysetID.v1(keys: keys)
            : KeysetID.v2(keys: keys, unit: unit, inputFeePPK: inputFeePPK, finalExpiry: finalExpiry)
        self.unit = unit
        self.inputFeePPK = inputFeePPK
        self.finalExpiry = finalExpiry
        self.derivationPath = path
        self.privateKeys = privateKeys
        self.publicKeys = keys
    }

    /// The standard denominations 2^0 … 2^(count−1) (count at most 64).
    public static func powersOfTwo(count: Int = 64) -> [Amount] {
        precondition((1...64).contains(count), "a keyset has 1 to 64 denominations")
        return (0..<count).map { Amount(UInt64(1) << UInt64($0)) }
    }

    /// Cashew's keyset path, the one cdk-mintd uses: `m/129372'/{unit index}'/{keyset index}'`.
    public static func path(unit: CurrencyUnit, index: UInt32) throws -> DerivationPath {
        DerivationPath([try .hardened(129372), try .hardened(unitIndex(unit)), try .hardened(index)])
    }

    /// The unit's path index as cdk-mintd computes it: the first 4 bytes of SHA-256 of the upper-case unit name,
    /// big-endian, with the top bit cleared.
    public static func unitIndex(_ unit: CurrencyUnit) -> UInt32 {
        let digest = Array(SHA256.hash(data: Array(unit.rawValue.uppercased().utf8)))
        let value = UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3])
        return value & ~(1 << 31)
    }

    /// The BIP-32 master of a nutshell mint: nutshell (0.15 and later) feeds the UTF-8 bytes of its
    /// `MINT_PRIVATE_KEY` string to BIP-32 as the seed; its keysets live at `m/0'/{unit}'/{index}'`.
    public static func nutshellMaster(privateKey: String) throws -> ExtendedPrivateKey {
        try ExtendedPrivateKey(seed: Array(privateKey.utf8))
    }

    /// Redacted.
    public var description: String { "MintKeyset(\(id), \(unit), \(derivationPath), <private keys redacted>)" }
}
