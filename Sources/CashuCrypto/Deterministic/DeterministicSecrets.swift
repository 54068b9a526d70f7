import Crypto
import FoundationEssentials
import CashewEncoding
import Secp256k1

/// NUT-13 deterministic secrets and blinding factors, so that a wallet can be restored from its seed phrase.
///
/// - Version `01` keysets: `HMAC-SHA256(seed, "Cashu_KDF_HMAC_SHA256" ‖ keyset ID bytes ‖ counter (u64 BE) ‖ type)`;
///   type `00` gives the secret's 32 bytes, type `01` the blinding factor (reduced mod n).
/// - Version `00` keysets: BIP-32 `m/129372'/0'/{id mod 2^31−1}'/{counter}'/{0 secret | 1 r}`.
///
/// The proof secret is the lower-case hex of the secret bytes.
public struct DeterministicSecrets: Sendable {
    /// One derived pair.
    public struct Derived: Sendable, Hashable {
        /// The proof secret: 64 lower-case hex characters.
        public let secret: String
        /// The blinding factor r.
        public let blindingFactor: Scalar
    }

    /// Why derivation is impossible.
    public struct DerivationError: Error, Hashable, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// `b"Cashu_KDF_HMAC_SHA256"`.
    public static let kdfTag: [UInt8] = Array("Cashu_KDF_HMAC_SHA256".utf8)

    /// The keyset the secrets are for.
    public let keysetID: KeysetID
    private let seedKey: SymmetricKey?
    private let keysetNode: ExtendedPrivateKey?

    /// Prepares derivation for one keyset from the 64-byte BIP-39 seed. For version `00` keysets the keyset's BIP-32
    /// node is derived once here, so that each counter costs only its last two steps.
    public init(seed: [UInt8], keysetID: KeysetID) throws {
        guard !keysetID.isShort else { throw DerivationError(description: "NUT-13 needs the full keyset ID, not the short form") }
        self.keysetID = keysetID
        switch keysetID.version {
        case .v2:
            seedKey = SymmetricKey(data: seed)
            keysetNode = nil
        case .v1:
            seedKey = nil
            let path = DerivationPath([
                try .hardened(129372), try .hardened(0), try .hardened(keysetID.derivationInteger),
            ])
            keysetNode = try ExtendedPrivateKey(seed: seed).derive(path)
        }
    }

    /// The secret and blinding factor for `counter`.
    public func derive(counter: UInt64) throws -> Derived {
        if let seedKey {
            var message = DeterministicSecrets.kdfTag
            message += keysetID.bytes
            withUnsafeBytes(of: counter.bigEndian) { message.append(contentsOf: $0) }
            let secret = Array(HMAC<SHA256>.authenticationCode(for: message + [0x00], using: seedKey))
            let rDigest = Array(HMAC<SHA256>.authenticationCode(for: message + [0x01], using: seedKey))
            let r = Scalar(reducing: rDigest)
            guard !r.isZero else { throw DerivationError(description: "derived blinding factor is zero") }
            return Derived(secret: secret.hex, blindingFactor: r)
        }
        guard let keysetNode else { fatalError("unreachable: one derivation is always set") }
        guard counter < 1 << 31 else { throw DerivationError(description: "BIP-32 counters stop at 2^31 − 1") }
        let node = try keysetNode.derive(.hardened(UInt32(counter)))
        let secret = try node.derive(.normal(0)).privateKey
        let r = try node.derive(.normal(1)).privateKey
        return Derived(secret: secret.hex, blindingFactor: r)
    }

    /// The BIP-32 path of a version `00` keyset's counter (without the final `/0` or `/1`), for display and tests.
    public static func legacyPath(keysetID: KeysetID, counter: UInt32) throws -> DerivationPath {
        DerivationPath([try .hardened(129372), try .hardened(0), try .hardened(keysetID.derivationInteger), try .hardened(counter)])
    }
}
