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
        // Only a full epoch means a backlog: under steady load, operations keep arriving and wait for the next close.
        let clock = ContinuousClock()
        var start = clock.now
        while let epoch = try await store.closeEpoch(limit: limit, seal: { try Self.seal($0, key: key, pubkey: pubkey, now: now) }) {
            closed.append(epoch)
            let operations = (try? epoch.decoded.operations) ?? 0
            let elapsed = clock.now - start
            start = clock.now
            logger.info("epoch closed", metadata: [
                "epoch": "\(epoch.epoch)", "operations": "\(operations)", "commitment": "\(epoch.commitment)",
                "duration_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
            ])
            if operations < UInt64(limit) { break }
        }
        return closed
    }

    /// The signed epoch of `draft`: the RFC 6962 root of its operations' digests, the sums per unit, the manifest
    /// chained to the previous commitment, signed with the mint's key.
    static func seal(_ draft: EpochDraft, key: Scalar, pubkey: Point, now: UInt64) throws -> SealedEpoch {
        var accumulator = MerkleTree.Accumulator()
        var totals = [String: EpochManifest.UnitTotals]()
        for op in draft.operations {
            accumulator.append(leafHash: MerkleTree.leafHash(op.digest))
            var t = totals[op.unit] ?? .init()
            t.issued += op.outputs
            t.redeemed += op.inputs
            t.fees += UInt128(op.fee)
            totals[op.unit] = t
        }
        let root = Hex.encode(accumulator.root)
        let manifest = EpochManifest(
            epoch: draft.number, previous: draft.previous, closedAt: now, mintPubkey: pubkey.hex, operations: UInt64(draft.operations.count),
            operationsRoot: root, totals: totals)
        return SealedEpoch(epoch: try SignedEpoch(manifest: manifest, key: key), closedAt: now, root: root)
    }

    /// Closed epochs from `number` on (`GET /v1/epochs`).
    public func epochs(from number: UInt64, limit: Int) async throws -> [SignedEpoch] {
        try await ledger { try await store.epochs(from: number, limit: limit) }
    }
}
