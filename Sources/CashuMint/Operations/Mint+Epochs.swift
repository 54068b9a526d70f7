import CashewEncoding
import CashuCrypto
import CashuProtocol
import Secp256k1

extension Mint {
    /// Closes epochs until no settled operation waits for one (Specs/audit.md, "Epochs"); each takes at most
    /// `limit` operations, so a backlog (the first close after an upgrade) becomes several epochs. Returns them.
    @discardableResult
    public func closeEpochs(limit: Int = 50_000) async throws -> [SignedEpoch] {
        var closed = [SignedEpoch]()
        let key = identityKey, pubkey = publicKey, now = clock.now()
        while let epoch = try await store.closeEpoch(limit: limit, seal: { try Self.seal($0, key: key, pubkey: pubkey, now: now) }) {
            closed.append(epoch)
            logger.info("epoch closed", metadata: ["epoch": "\(epoch.epoch)", "commitment": "\(epoch.commitment)"])
        }
        return closed
    }

    /// The signed epoch of `draft`: each operation's digest, their RFC 6962 root, the sums per unit, the manifest
    /// chained to the previous commitment, signed with the mint's key.
    static func seal(_ draft: EpochDraft, key: Scalar, pubkey: Point, now: UInt64) throws -> SealedEpoch {
        var accumulator = MerkleTree.Accumulator()
        var digests = [String: String]()
        var totals = [String: EpochManifest.UnitTotals]()
        for op in draft.operations {
            let digest = op.digest
            digests[op.id] = Hex.encode(digest)
            accumulator.append(leafHash: MerkleTree.leafHash(digest))
            var t = totals[op.unit] ?? .init()
            t.issued += op.outputs.reduce(UInt128(0)) { $0 + UInt128($1.amount) }
            t.redeemed += op.inputs.reduce(UInt128(0)) { $0 + UInt128($1.amount) }
            t.fees += UInt128(op.fee)
            totals[op.unit] = t
        }
        let root = Hex.encode(accumulator.root)
        let manifest = EpochManifest(
            epoch: draft.number, previous: draft.previous, closedAt: now, mintPubkey: pubkey.hex, operations: UInt64(draft.operations.count),
            operationsRoot: root, totals: totals)
        return SealedEpoch(epoch: try SignedEpoch(manifest: manifest, key: key), closedAt: now, root: root, digests: digests)
    }

    /// Closed epochs from `number` on (`GET /v1/epochs`).
    public func epochs(from number: UInt64, limit: Int) async throws -> [SignedEpoch] {
        try await ledger { try await store.epochs(from: number, limit: limit) }
    }
}
