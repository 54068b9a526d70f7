import CashewEncoding
import CashuCrypto
import CashuProtocol
import Secp256k1

/// A liabilities epoch or keyset that does not exist (HTTP 404 with `error` as the body).
public struct LiabilityNotFoundError: Error, Sendable {
    public let error: CashuError
}

extension Mint {
    var liabilityLedger: any LiabilityLedger {
        get throws {
            guard let ledger = store as? any LiabilityLedger else {
                throw MintUnavailableError(error: CashuError(.notAllowed, "this ledger keeps no proof of liabilities"))
            }
            return ledger
        }
    }

    /// Closes the next liabilities epoch (Specs/audit.md, "Proof of liabilities"): closes the waiting ledger epochs,
    /// appends to every unexpired keyset's issued and spent sum-MMRs the leaves of the ledger epochs closed since the
    /// last one, signs each keyset's manifest with the mint's key and records the epoch. Returns nil when another
    /// process recorded that epoch first.
    ///
    /// - `lifetime`: liabilities epochs from a keyset's first epoch to its declared `deactivation_epoch`. An active
    ///   keyset whose deadline is the next epoch is rotated after this close, so that the next manifest can say
    ///   `active: false` as the draft requires.
    /// - `grace`: seconds after a keyset's deactivation during which it is still published as active: operations
    ///   signed with it just before may not have reached a ledger epoch yet, and an inactive keyset's issued tree
    ///   must not grow.
    @discardableResult
    public func closeLiabilityEpoch(lifetime: UInt64, grace: UInt64) async throws -> LiabilityEpochRecord? {
        let ledger = try liabilityLedger
        try await closeEpochs()
        let (last, through, keysets) = try await self.ledger {
            (try await ledger.lastLiabilityEpoch(), try await ledger.lastLedgerEpoch(), try await store.keysets())
        }
        let now = clock.now()
        let number = (last?.epoch ?? 0) + 1
        let after = last?.throughEpoch ?? 0
        let prior = Dictionary((last?.keysets ?? []).map { ($0.keyset.id, $0) }, uniquingKeysWith: { a, _ in a })
        var states = [(LiabilityCommitment.Keyset, issued: SumMMR.Accumulator, spent: SumMMR.Accumulator)]()
        for k in keysets where k.finalExpiry.map({ $0 > now }) ?? true {
            let id = k.id.hex
            let before = prior[id]
            var trees = [SumMMR.Accumulator]()
            for tree in LiabilityTree.allCases {
                guard var acc = before.map({ $0.accumulator(tree) }) ?? SumMMR.Accumulator() else {
                    throw MintUnavailableError(error: CashuError(.notAllowed, "liabilities epoch \(last?.epoch ?? 0) does not parse"))
                }
                if through > after {
                    for leaf in try await self.ledger({ try await ledger.liabilityLeaves(keyset: id, tree: tree, after: after, through: through) }) {
                        guard try acc.append(leaf) else {
                            throw MintUnavailableError(error: CashuError(.notAllowed, "a \(tree.rawValue) point of keyset \(id) does not parse"))
                        }
                    }
                }
                trees.append(acc)
            }
            let deadline = before?.keyset.deactivationEpoch ?? number + max(lifetime, 1)
            let recent = k.deactivatedAt.map { now < $0 &+ grace } ?? false
            let active = (before?.keyset.active ?? true) && (k.active || recent) && number < deadline
            let state = LiabilityCommitment.Keyset(
                id: id, unit: k.unit.rawValue, issuedSize: trees[0].size, issuedRoot: try trees[0].root, spentSize: trees[1].size,
                spentRoot: try trees[1].root, active: active, deactivationEpoch: deadline)
            states.append((state, trees[0], trees[1]))
        }
        let previous = last?.globalDigest ?? [UInt8](repeating: 0, count: 32)
        let all = states.map(\.0)
        var records = [LiabilityEpochRecord.Keyset]()
        for (state, issued, spent) in states {
            guard Int64(exactly: state.outstanding) != nil else { throw LiabilityCommitment.OutOfRangeError() }
            let message = state.manifestMessage(epoch: number, timestamp: now, previousDigest: previous)
            let signature = try identityKey.schnorrSign(message: LiabilityCommitment.messageDigest(message)).hex
            records.append(.init(keyset: state, issuedPeaks: issued.peaks.map(\.node), spentPeaks: spent.peaks.map(\.node), signature: signature))
        }
        let record = LiabilityEpochRecord(
            epoch: number, throughEpoch: max(through, after), closedAt: now, previous: previous,
            globalDigest: LiabilityCommitment.globalDigest(previous: previous, epoch: number, keysets: LiabilityCommitment.sorted(all)),
            keysetRoot: LiabilityCommitment.keysetRoot(all), keysets: records)
        guard try await self.ledger({ try await ledger.recordLiabilityEpoch(record) }) else { return nil }
        logger.info("liabilities epoch closed", metadata: [
            "epoch": "\(number)", "through_epoch": "\(record.throughEpoch)", "keysets": "\(records.count)",
            "global_digest": "\(Hex.encode(record.globalDigest))",
        ])
        // A deadline must never find the keyset still signing: rotate the unit one epoch ahead. (A unit the mint no
        // longer serves signs nothing, and cannot be rotated.) The epoch is recorded either way.
        for k in keysets where k.active && settings.units.contains(k.unit) {
            guard let state = all.first(where: { $0.id == k.id.hex }), state.deactivationEpoch <= number + 1 else { continue }
            do {
                let rotated = try await rotateKeyset(unit: k.unit, inputFeePPK: nil, maxOrder: nil, finalExpiry: nil)
                logger.notice("keyset rotated: its declared deactivation epoch is next", metadata: [
                    "keyset": "\(k.id)", "deactivation_epoch": "\(state.deactivationEpoch)", "new_keyset": "\(rotated.id)",
                ])
            } catch {
                logger.error("a keyset whose declared deactivation epoch is next could not be rotated", metadata: [
                    "keyset": "\(k.id)", "deactivation_epoch": "\(state.deactivationEpoch)", "error": "\(error)",
                ])
            }
        }
        return record
    }

    /// When the newest liabilities epoch closed (nil when none has).
    public func lastLiabilityEpochClose() async throws -> UInt64? {
        let ledger = try liabilityLedger
        return try await self.ledger { try await ledger.lastLiabilityEpochClose() }
    }

    /// The newest liabilities epoch (nil when none has closed).
    public func latestLiabilityEpoch() async throws -> LiabilityEpochRecord? {
        let ledger = try liabilityLedger
        return try await self.ledger { try await ledger.lastLiabilityEpoch() }
    }

    /// The epoch `epoch`, or the newest when nil.
    func liabilityEpoch(_ epoch: UInt64?) async throws -> LiabilityEpochRecord {
        let ledger = try liabilityLedger
        let record = try await self.ledger {
            if let epoch { try await ledger.liabilityEpoch(epoch) } else { try await ledger.lastLiabilityEpoch() }
        }
        guard let record else {
            throw LiabilityNotFoundError(error: CashuError(.notAllowed, epoch.map { "no liabilities epoch \($0)" } ?? "no liabilities epoch has closed yet"))
        }
        return record
    }

    /// `GET /v1/pol/{keyset_id}/manifest`: the keyset's manifest in `epoch` (the newest when nil).
    public func liabilityManifest(keyset id: String, epoch: UInt64?) async throws -> LiabilityManifest {
        let record = try await liabilityEpoch(epoch)
        guard let k = record.keysets.first(where: { $0.keyset.id == id.lowercased() }) else {
            throw LiabilityNotFoundError(error: CashuError(.keysetUnknown, "keyset \(id.prefix(66)) is not in liabilities epoch \(record.epoch)"))
        }
        return try LiabilityManifest(
            keyset: k.keyset, epoch: record.epoch, closedAt: record.closedAt, previous: record.previous, all: record.keysets.map(\.keyset),
            signingKey: publicKey, signature: k.signature)
    }

    /// `POST /v1/pol/{keyset_id}/proofs/issued|spent`: inclusion proofs of `items` (compressed hex points) in the
    /// keyset's `tree` at `epoch` (the newest when nil). Points not in the tree are left out.
    public func liabilityProofs(keyset id: String, tree: LiabilityTree, items: [String], epoch: UInt64?) async throws -> LiabilityProofsResponse {
        guard items.count <= settings.maxOutputs else {
            throw CashuError(.notAllowed, "at most \(settings.maxOutputs) points per request")
        }
        let ledger = try liabilityLedger
        let record = try await liabilityEpoch(epoch)
        let keysetID = id.lowercased()
        guard let k = record.keysets.first(where: { $0.keyset.id == keysetID })?.keyset else {
            throw LiabilityNotFoundError(error: CashuError(.keysetUnknown, "keyset \(id.prefix(66)) is not in liabilities epoch \(record.epoch)"))
        }
        let size = tree == .issued ? k.issuedSize : k.spentSize
        let root = tree == .issued ? k.issuedRoot : k.spentRoot
        let through = record.throughEpoch
        let key = "\(keysetID)/\(tree.rawValue)/\(record.epoch)"
        let logger = logger
        let entry = try await liabilityTrees.entry(key) {
            // Rebuilt from the ledger: the first `size` leaves of the closed ledger epochs up to `through`.
            let rows = try await self.ledger { try await ledger.liabilityLeaves(keyset: keysetID, tree: tree, after: 0, through: through) }
            var leaves = [SumMMR.Node]()
            leaves.reserveCapacity(Int(clamping: size))
            var index = [String: Int]()
            for row in rows.prefix(Int(clamping: size)) {
                guard let point = Hex.decode(row.point), point.count == 33 else { break }
                index[row.point] = index[row.point] ?? leaves.count
                leaves.append(SumMMR.leaf(point: point, amount: row.amount.rawValue))
            }
            let built = try SumMMR.Tree(leaves: leaves)
            guard UInt64(built.size) == size, try built.root == root else {
                logger.error("the ledger no longer matches a published liabilities tree", metadata: ["keyset": "\(keysetID)", "tree": "\(tree.rawValue)", "epoch": "\(record.epoch)"])
                throw MintUnavailableError(error: CashuError(.notAllowed, "the \(tree.rawValue) tree of keyset \(keysetID) in epoch \(record.epoch) cannot be rebuilt"))
            }
            return LiabilityTreeCache.Entry(tree: built, index: index)
        }
        var proofs = [LiabilityInclusionProof]()
        for item in items {
            let point = item.lowercased()
            guard let i = entry.index[point], let proof = LiabilityInclusionProof(item: point, index: i, tree: entry.tree) else { continue }
            proofs.append(proof)
        }
        return LiabilityProofsResponse(proofs: proofs)
    }
}
