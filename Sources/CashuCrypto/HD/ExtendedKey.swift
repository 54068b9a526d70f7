import Crypto
import FoundationEssentials
import Secp256k1

/// A BIP-32 extended private key: a private key and a chain code.
///
/// It does not print or serialize its secret; derive what you need and keep the master in memory only.
public struct ExtendedPrivateKey: Sendable, CustomStringConvertible {
    /// The private key at this node.
    public let privateKey: Scalar
    /// The 32-byte chain code.
    public let chainCode: [UInt8]
    /// Depth below the master (0 for the master).
    public let depth: Int

    /// The BIP-32 master key of a seed: `HMAC-SHA512("Bitcoin seed", seed)`.
    /// Nutshell feeds its private-key string's UTF-8 bytes in as the seed; BIP-39 wallets feed the 64-byte seed.
    public init(seed: [UInt8]) throws {
        let i = Array(HMAC<SHA512>.authenticationCode(for: seed, using: SymmetricKey(data: Array("Bitcoin seed".utf8))))
        let key = try Scalar(bytes: i[0..<32])
        guard !key.isZero else { throw Secp256k1Error(.invalidScalar, "seed gives an invalid master key") }
        self.init(privateKey: key, chainCode: Array(i[32..<64]), depth: 0)
    }

    init(privateKey: Scalar, chainCode: [UInt8], depth: Int) {
        self.privateKey = privateKey
        self.chainCode = chainCode
        self.depth = depth
    }

    /// The public key at this node.
    public var publicKey: Point { try! privateKey.publicPoint }

    /// The matching extended public key (for non-hardened derivation without the secret).
    public var extendedPublicKey: ExtendedPublicKey {
        ExtendedPublicKey(publicKey: publicKey, chainCode: chainCode, depth: depth)
    }

    /// The child key (BIP-32 CKDpriv).
    public func derive(_ child: ChildNumber) throws -> ExtendedPrivateKey {
        var data = [UInt8]()
        data.reserveCapacity(37)
        if child.isHardened {
            data.append(0)
            privateKey.withUnsafeBytes { data.append(contentsOf: $0) }
        } else {
            publicKey.withCompressedBytes { data.append(contentsOf: $0) }
        }
        withUnsafeBytes(of: child.rawValue.bigEndian) { data.append(contentsOf: $0) }
        let i = Array(HMAC<SHA512>.authenticationCode(for: data, using: SymmetricKey(data: chainCode)))
        // BIP-32: an IL at or above n, or a zero child key, makes this index invalid (probability below 2^-127).
        let tweak = try Scalar(bytes: i[0..<32])
        let key = tweak + privateKey
        guard !key.isZero else { throw Secp256k1Error(.invalidScalar, "child key \(child) is invalid; use the next index") }
        return ExtendedPrivateKey(privateKey: key, chainCode: Array(i[32..<64]), depth: depth + 1)
    }

    /// The key at `path` below this one.
    public func derive(_ path: DerivationPath) throws -> ExtendedPrivateKey {
        var key = self
        for child in path.components { key = try key.derive(child) }
        return key
    }

    /// Redacted.
    public var description: String { "ExtendedPrivateKey(depth: \(depth), <redacted>)" }
}

/// A BIP-32 extended public key: derives non-hardened children without any secret.
public struct ExtendedPublicKey: Sendable, Hashable {
    /// The public key at this node.
    public let publicKey: Point
    /// The 32-byte chain code.
    public let chainCode: [UInt8]
    /// Depth below the master.
    public let depth: Int

    /// The non-hardened child (BIP-32 CKDpub). Hardened children need the private key.
    public func derive(_ child: ChildNumber) throws -> ExtendedPublicKey {
        guard !child.isHardened else {
            throw DerivationPath.ParseError(description: "a hardened child cannot be derived from a public key")
        }
        var data = publicKey.compressed
        withUnsafeBytes(of: child.rawValue.bigEndian) { data.append(contentsOf: $0) }
        let i = Array(HMAC<SHA512>.authenticationCode(for: data, using: SymmetricKey(data: chainCode)))
        let tweak = try Scalar(bytes: i[0..<32])
        return ExtendedPublicKey(publicKey: try publicKey.addingGeneratorMultiple(tweak), chainCode: Array(i[32..<64]), depth: depth + 1)
    }
}
