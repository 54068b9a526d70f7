import CashewEncoding
import Crypto
import Foundation
import Secp256k1

/// What an epoch of the ledger commits to (Specs/audit.md, "Epochs"): the root of its operations' digests, the
/// previous epoch's commitment, and the epoch's sums per unit. Encoded as canonical JSON (sorted keys, no spaces);
/// the commitment is SHA-256 of those bytes, signed by the mint's key (the `pubkey` of `/v1/info`, BIP-340).
public struct EpochManifest: Codable, Sendable, Hashable {
    /// What one unit's operations in the epoch added up to.
    public struct UnitTotals: Codable, Sendable, Hashable {
        /// Value of the blind signatures issued.
        public var issued: UInt128
        /// Value of the proofs spent (melt inputs included).
        public var redeemed: UInt128
        /// Input fees kept.
        public var fees: UInt128

        public init(issued: UInt128 = 0, redeemed: UInt128 = 0, fees: UInt128 = 0) {
            self.issued = issued
            self.redeemed = redeemed
            self.fees = fees
        }
    }

    public var version: Int
    /// 1 for the first epoch, then consecutive.
    public var epoch: UInt64
    /// The previous epoch's commitment (hex); 64 zeros for the first.
    public var previous: String
    public var closedAt: UInt64
    /// The key that signs (x-only check of the compressed point), hex.
    public var mintPubkey: String
    /// Number of operations (leaves).
    public var operations: UInt64
    /// RFC 6962 root over the operations' digests in ascending operation ID.
    public var operationsRoot: String
    /// Per unit.
    public var totals: [String: UnitTotals]

    public static let genesis = String(repeating: "0", count: 64)

    public init(
        epoch: UInt64, previous: String, closedAt: UInt64, mintPubkey: String, operations: UInt64, operationsRoot: String, totals: [String: UnitTotals]
    ) {
        self.version = 1
        self.epoch = epoch
        self.previous = previous
        self.closedAt = closedAt
        self.mintPubkey = mintPubkey
        self.operations = operations
        self.operationsRoot = operationsRoot
        self.totals = totals
    }

    enum CodingKeys: String, CodingKey {
        case version, epoch, previous, operations, totals
        case closedAt = "closed_at"
        case mintPubkey = "mint_pubkey"
        case operationsRoot = "operations_root"
    }

    /// The canonical JSON text.
    public var canonicalJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// A closed epoch as published: the manifest's exact text, its commitment and the mint's signature.
public struct SignedEpoch: Codable, Sendable, Hashable {
    public var epoch: UInt64
    /// The canonical manifest JSON, exactly the bytes committed to.
    public var manifest: String
    /// SHA-256 of `manifest`, hex.
    public var commitment: String
    /// BIP-340 signature of the commitment by the mint's key, hex.
    public var signature: String

    public init(epoch: UInt64, manifest: String, commitment: String, signature: String) {
        self.epoch = epoch
        self.manifest = manifest
        self.commitment = commitment
        self.signature = signature
    }

    /// Closes an epoch: commits to `manifest` and signs it with `key`.
    public init(manifest: EpochManifest, key: Scalar) throws {
        let text = manifest.canonicalJSON
        let commitment = Array(SHA256.hash(data: Array(text.utf8)))
        self.init(epoch: manifest.epoch, manifest: text, commitment: Hex.encode(commitment), signature: try key.schnorrSign(message: commitment).hex)
    }

    /// The manifest, decoded.
    public var decoded: EpochManifest {
        get throws { try JSONDecoder().decode(EpochManifest.self, from: Data(manifest.utf8)) }
    }

    /// Why this epoch does not hold up on its own (its commitment is not the hash of its manifest, its signature
    /// is not `key`'s, or its manifest does not decode or names another epoch), or nil when it does.
    public func problem(key: Point) -> String? {
        guard Hex.encode(Array(SHA256.hash(data: Array(manifest.utf8)))) == commitment else { return "the commitment is not the SHA-256 of the manifest" }
        guard let signature = try? SchnorrSignature(hex: signature), let digest = Hex.decode(commitment), key.verifySchnorr(signature, message: digest) else {
            return "the signature is not the mint key's (\(key.hex)) over the commitment"
        }
        guard let decoded = try? decoded else { return "the manifest does not decode" }
        guard decoded.epoch == epoch else { return "the manifest names epoch \(decoded.epoch)" }
        return nil
    }
}

/// `GET /v1/epochs`: closed epochs in ascending order.
public struct EpochsResponse: Codable, Sendable, Hashable {
    public var epochs: [SignedEpoch]

    public init(epochs: [SignedEpoch]) { self.epochs = epochs }
}
