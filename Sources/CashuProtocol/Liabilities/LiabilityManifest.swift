import CashewEncoding
import Foundation
import Secp256k1

/// `GET /v1/pol/{keyset_id}/manifest`: one keyset's signed state at the close of a liabilities epoch, with every
/// keyset of that epoch (so that a verifier can recompute the keyset Merkle root and the chained global digest).
/// Field names follow the Proof of Liabilities draft (cashubtc/nuts PR #388, with `unit`; Specs/audit.md).
public struct LiabilityManifest: Codable, Sendable, Hashable {
    /// A keyset's leaf fields as the epoch lists them.
    public struct EpochKeyset: Codable, Sendable, Hashable {
        public var keysetID: String
        public var unit: String
        public var issuedMMRSize: UInt64
        public var issuedMMRRootHash: String
        public var issuedMMRRootSum: UInt64
        public var spentMMRSize: UInt64
        public var spentMMRRootHash: String
        public var spentMMRRootSum: UInt64
        public var active: Bool
        public var deactivationEpoch: UInt64

        enum CodingKeys: String, CodingKey {
            case keysetID = "keyset_id", unit
            case issuedMMRSize = "issued_mmr_size", issuedMMRRootHash = "issued_mmr_root_hash", issuedMMRRootSum = "issued_mmr_root_sum"
            case spentMMRSize = "spent_mmr_size", spentMMRRootHash = "spent_mmr_root_hash", spentMMRRootSum = "spent_mmr_root_sum"
            case active, deactivationEpoch = "deactivation_epoch"
        }

        public init(_ k: LiabilityCommitment.Keyset) {
            keysetID = k.id
            unit = k.unit
            issuedMMRSize = k.issuedSize
            issuedMMRRootHash = Hex.encode(k.issuedRoot.hash)
            issuedMMRRootSum = k.issuedRoot.sum
            spentMMRSize = k.spentSize
            spentMMRRootHash = Hex.encode(k.spentRoot.hash)
            spentMMRRootSum = k.spentRoot.sum
            active = k.active
            deactivationEpoch = k.deactivationEpoch
        }

        /// The commitment's view of this entry; nil when a root hash is not 32 bytes of hex.
        public var keyset: LiabilityCommitment.Keyset? {
            guard let issued = Hex.decode(issuedMMRRootHash), issued.count == 32, let spent = Hex.decode(spentMMRRootHash), spent.count == 32 else { return nil }
            return LiabilityCommitment.Keyset(
                id: keysetID, unit: unit, issuedSize: issuedMMRSize, issuedRoot: .init(hash: issued, sum: issuedMMRRootSum), spentSize: spentMMRSize,
                spentRoot: .init(hash: spent, sum: spentMMRRootSum), active: active, deactivationEpoch: deactivationEpoch)
        }
    }

    public var keysetID: String
    public var unit: String
    public var epochIndex: UInt64
    /// The epoch's close, RFC 3339 UTC in whole seconds.
    public var timestamp: String
    public var previousGlobalDigest: String
    /// The x-only key (hex) that signs: the mint's `/v1/info` `pubkey` without its parity byte.
    public var signingPubkey: String
    public var issuedMMRSize: UInt64
    public var issuedMMRRootHash: String
    public var issuedMMRRootSum: UInt64
    public var spentMMRSize: UInt64
    public var spentMMRRootHash: String
    public var spentMMRRootSum: UInt64
    /// issued − spent. A signed integer: published as it is, even if negative.
    public var outstandingBalance: Int64
    public var active: Bool
    public var deactivationEpoch: UInt64
    public var globalDigest: String
    public var keysetMerkleRoot: String
    public var epochKeysets: [EpochKeyset]
    /// Cashew anchors no epoch in OpenTimestamps (Specs/audit.md): always null.
    public var otsReceipt: String?
    /// BIP-340 over SHA-256 of the colon-joined manifest message.
    public var mintSignature: String

    enum CodingKeys: String, CodingKey {
        case keysetID = "keyset_id", unit, epochIndex = "epoch_index", timestamp, previousGlobalDigest = "previous_global_digest"
        case signingPubkey = "signing_pubkey"
        case issuedMMRSize = "issued_mmr_size", issuedMMRRootHash = "issued_mmr_root_hash", issuedMMRRootSum = "issued_mmr_root_sum"
        case spentMMRSize = "spent_mmr_size", spentMMRRootHash = "spent_mmr_root_hash", spentMMRRootSum = "spent_mmr_root_sum"
        case outstandingBalance = "outstanding_balance", active, deactivationEpoch = "deactivation_epoch", globalDigest = "global_digest"
        case keysetMerkleRoot = "keyset_merkle_root", epochKeysets = "epoch_keysets", otsReceipt = "ots_receipt", mintSignature = "mint_signature"
    }

    /// The manifest of `keyset` in an epoch closed at `closedAt` (Unix seconds) whose keysets are `all`.
    public init(
        keyset k: LiabilityCommitment.Keyset, epoch: UInt64, closedAt: UInt64, previous: [UInt8], all: [LiabilityCommitment.Keyset], signingKey: Point,
        signature: String
    ) throws {
        guard let outstanding = Int64(exactly: k.outstanding) else { throw LiabilityCommitment.OutOfRangeError() }
        keysetID = k.id
        unit = k.unit
        epochIndex = epoch
        timestamp = LiabilityCommitment.rfc3339(closedAt)
        previousGlobalDigest = Hex.encode(previous)
        signingPubkey = Hex.encode(Array(signingKey.compressed.dropFirst()))
        issuedMMRSize = k.issuedSize
        issuedMMRRootHash = Hex.encode(k.issuedRoot.hash)
        issuedMMRRootSum = k.issuedRoot.sum
        spentMMRSize = k.spentSize
        spentMMRRootHash = Hex.encode(k.spentRoot.hash)
        spentMMRRootSum = k.spentRoot.sum
        outstandingBalance = outstanding
        active = k.active
        deactivationEpoch = k.deactivationEpoch
        let sorted = LiabilityCommitment.sorted(all)
        globalDigest = Hex.encode(LiabilityCommitment.globalDigest(previous: previous, epoch: epoch, keysets: sorted))
        keysetMerkleRoot = Hex.encode(LiabilityCommitment.keysetRoot(sorted))
        epochKeysets = sorted.map(EpochKeyset.init)
        otsReceipt = nil
        mintSignature = signature
    }

    /// This manifest's own keyset fields.
    public var own: EpochKeyset {
        EpochKeyset(
            keysetID: keysetID, unit: unit, issuedMMRSize: issuedMMRSize, issuedMMRRootHash: issuedMMRRootHash, issuedMMRRootSum: issuedMMRRootSum,
            spentMMRSize: spentMMRSize, spentMMRRootHash: spentMMRRootHash, spentMMRRootSum: spentMMRRootSum, active: active,
            deactivationEpoch: deactivationEpoch)
    }

    /// The message its signature covers; nil when a field does not parse.
    public var message: String? {
        guard let k = own.keyset, let t = LiabilityCommitment.parseRFC3339(timestamp), let previous = Hex.decode(previousGlobalDigest), previous.count == 32
        else { return nil }
        return k.manifestMessage(epoch: epochIndex, timestamp: t, previousDigest: previous)
    }

    /// Everything wrong with this manifest on its own, checked against the mint's key `mintKey` (the `/v1/info`
    /// `pubkey`): the signing key, the signature over the message, the balance equation, its entry among the
    /// epoch's keysets, the keyset Merkle root and the global digest. Empty when it holds up.
    public func problems(mintKey: Point) -> [String] {
        var problems = [String]()
        if signingPubkey != Hex.encode(Array(mintKey.compressed.dropFirst())) {
            problems.append("signing_pubkey \(signingPubkey.prefix(66)) is not the mint's /v1/info key")
        }
        if let message, let signature = try? SchnorrSignature(hex: mintSignature) {
            if !mintKey.verifySchnorr(signature, message: LiabilityCommitment.messageDigest(message)) { problems.append("mint_signature does not verify") }
        } else {
            problems.append("the manifest does not parse")
        }
        if Int128(outstandingBalance) != Int128(issuedMMRRootSum) - Int128(spentMMRRootSum) {
            problems.append("outstanding_balance \(outstandingBalance) is not issued \(issuedMMRRootSum) − spent \(spentMMRRootSum)")
        }
        let entries = epochKeysets.filter { $0.keysetID == keysetID }
        if entries != [own] { problems.append("epoch_keysets does not list this keyset exactly once as signed") }
        let keysets = epochKeysets.compactMap(\.keyset)
        if keysets.count != epochKeysets.count || LiabilityCommitment.sorted(keysets) != keysets {
            problems.append("epoch_keysets is not well-formed and in order (unit, then keyset ID)")
        }
        if Hex.encode(LiabilityCommitment.keysetRoot(keysets)) != keysetMerkleRoot { problems.append("keyset_merkle_root is not the root of epoch_keysets") }
        if let previous = Hex.decode(previousGlobalDigest), previous.count == 32,
            Hex.encode(LiabilityCommitment.globalDigest(previous: previous, epoch: epochIndex, keysets: keysets)) != globalDigest
        {
            problems.append("global_digest is not the digest of the epoch")
        }
        return problems
    }
}

extension LiabilityManifest.EpochKeyset {
    public init(
        keysetID: String, unit: String, issuedMMRSize: UInt64, issuedMMRRootHash: String, issuedMMRRootSum: UInt64, spentMMRSize: UInt64,
        spentMMRRootHash: String, spentMMRRootSum: UInt64, active: Bool, deactivationEpoch: UInt64
    ) {
        self.keysetID = keysetID
        self.unit = unit
        self.issuedMMRSize = issuedMMRSize
        self.issuedMMRRootHash = issuedMMRRootHash
        self.issuedMMRRootSum = issuedMMRRootSum
        self.spentMMRSize = spentMMRSize
        self.spentMMRRootHash = spentMMRRootHash
        self.spentMMRRootSum = spentMMRRootSum
        self.active = active
        self.deactivationEpoch = deactivationEpoch
    }
}
