import CashewEncoding
import CashuCrypto
import CashuProtocol
import Secp256k1

extension Wallet {
    /// Checks a mint's proof of liabilities against what this wallet knows (Specs/wallet.md): every manifest's
    /// signature by the mint's `/v1/info` key, the balance equation, the keyset Merkle root and global digest, the
    /// chain of global digests back to the first epoch (and against the digests seen on earlier runs), the keyset
    /// lifecycle rules, then, in the newest epoch, that each blinded message of its proofs is in the issued tree with
    /// its amount, each proof it spent is in the spent tree, and none of its unspent proofs is.
    ///
    /// Proofs the wallet got or spent less than `grace` seconds before the newest epoch closed are not checked
    /// (they may belong to the next one).
    public func auditMint(mintURL: String, grace: UInt64 = 120) async throws -> MintLiabilityReport {
        let client = client(mintURL)
        var report = MintLiabilityReport(mintURL: client.url)
        let info = try await client.info()
        guard let mintKey = info.pubkey else {
            throw WalletError(.unsupported, "the mint publishes no pubkey in /v1/info: its liabilities cannot be checked")
        }
        let mintKeysets = try await client.keysets().keysets
        let walletKeysets = try await store.keysets(mintURL: client.url)
        var candidates = [String]()
        for id in mintKeysets.map(\.id.hex) + walletKeysets.map(\.id.hex) where !candidates.contains(id) { candidates.append(id) }

        // The newest epoch, then every earlier one, each through a keyset it lists.
        var newest: LiabilityManifest?
        for id in candidates {
            if let m = try await client.liabilityManifest(keyset: id) {
                newest = m
                break
            }
        }
        guard let newest else { throw WalletError(.unsupported, "the mint publishes no proof of liabilities (GET /v1/pol/{keyset}/manifest)") }
        report.epoch = newest.epochIndex
        report.closedAt = newest.timestamp
        var manifests = [newest.epochIndex: newest]
        var later = newest
        var epoch = newest.epochIndex
        while epoch > 1 {
            epoch -= 1
            var found: LiabilityManifest?
            var tried = Set<String>()
            for id in later.epochKeysets.map(\.keysetID) + candidates where tried.insert(id).inserted {
                if let m = try await client.liabilityManifest(keyset: id, epoch: epoch) {
                    found = m
                    break
                }
            }
            guard let found else {
                report.add(.evidence, "chain", "epoch \(epoch) is not published for any keyset of epoch \(epoch + 1)")
                break
            }
            manifests[epoch] = found
            later = found
        }
        let epochs = manifests.keys.sorted()
        report.epochsChecked = epochs.count
        for e in epochs {
            let m = manifests[e]!
            for problem in m.problems(mintKey: mintKey) { report.add(.evidence, "manifest", keyset: m.keysetID, "epoch \(e): \(problem)") }
            if m.epochIndex != e { report.add(.evidence, "manifest", keyset: m.keysetID, "asked for epoch \(e), got \(m.epochIndex)") }
            if e == 1, m.previousGlobalDigest != String(repeating: "0", count: 64) {
                report.add(.evidence, "chain", "epoch 1 names a previous digest \(m.previousGlobalDigest.prefix(64))")
            }
            if let next = manifests[e + 1] {
                if next.previousGlobalDigest != m.globalDigest {
                    report.add(.evidence, "chain", "epoch \(e + 1) does not chain to epoch \(e)'s global digest")
                }
                if let t0 = LiabilityCommitment.parseRFC3339(m.timestamp), let t1 = LiabilityCommitment.parseRFC3339(next.timestamp), t1 < t0 {
                    report.add(.evidence, "chain", "epoch \(e + 1) closed before epoch \(e)")
                }
            }
        }
        let seen = try await store.liabilityDigests(mintURL: client.url)
        for (e, digest) in seen.sorted(by: { $0.key < $1.key }) {
            if let m = manifests[e], m.globalDigest != digest {
                report.add(.evidence, "history", "epoch \(e)'s global digest was \(digest) when this wallet last checked; it is now \(m.globalDigest)")
            } else if manifests[e] == nil, e > newest.epochIndex {
                report.add(.evidence, "history", "this wallet saw epoch \(e), but the newest epoch published is \(newest.epochIndex)")
            }
        }
        if report.findings.filter({ $0.check == "history" }).isEmpty {
            try await store.rememberLiabilityDigests(mintURL: client.url, Dictionary(uniqueKeysWithValues: manifests.map { ($0.key, $0.value.globalDigest) }))
        }
        Self.checkLifecycle(epochs.map { manifests[$0]! }, into: &report)

        // The keysets of the newest epoch, against /v1/keysets.
        var outstanding = [String: Int64]()
        for k in newest.epochKeysets {
            outstanding[k.unit, default: 0] &+= Int64(clamping: Int128(k.issuedMMRRootSum) - Int128(k.spentMMRRootSum))
        }
        report.outstanding = outstanding
        let listed = Dictionary(newest.epochKeysets.map { ($0.keysetID, $0) }, uniquingKeysWith: { a, _ in a })
        for k in mintKeysets where k.active {
            if let entry = listed[k.id.hex], !entry.active {
                report.add(.warning, "keysets", keyset: k.id.hex, "active at the mint, but locked in epoch \(newest.epochIndex)")
            }
        }

        // This wallet's proofs in the newest epoch's trees.
        guard let closedAt = LiabilityCommitment.parseRFC3339(newest.timestamp) else { return report }
        let proofs = try await store.proofs(mintURL: client.url, states: Set(WalletProofState.allCases))
        var byKeyset = [String: [StoredProof]]()
        for p in proofs { byKeyset[p.proof.id.hex, default: []].append(p) }
        for (keyset, proofs) in byKeyset.sorted(by: { $0.key < $1.key }) {
            let committed = proofs.filter { $0.createdAt &+ grace <= closedAt }
            report.notYetCommitted += proofs.count - committed.count
            guard !committed.isEmpty else { continue }
            guard let manifest = keyset == newest.keysetID ? newest : try await client.liabilityManifest(keyset: keyset, epoch: newest.epochIndex) else {
                let total = committed.reduce(UInt64(0)) { $0 &+ $1.proof.amount.rawValue }
                report.add(.evidence, "issued", keyset: keyset, amount: total, "this wallet holds \(committed.count) proofs of the keyset from before epoch \(newest.epochIndex), which does not list it")
                continue
            }
            for problem in manifest.problems(mintKey: mintKey) { report.add(.evidence, "manifest", keyset: keyset, problem) }
            if manifest.own != listed[keyset] { report.add(.evidence, "manifest", keyset: keyset, "the keyset's manifest differs from its entry in epoch_keysets") }
            try await checkIssued(committed, keyset: keyset, manifest: manifest, client: client, report: &report)
            let spent = committed.filter { $0.state == .spent }
            let unspent = committed.filter { $0.state == .unspent || $0.state == .reserved }
            try await checkSpent(spent, unspent: unspent, keyset: keyset, manifest: manifest, closedAt: closedAt, grace: grace, client: client, report: &report)
        }
        return report
    }

    /// Each blinded message `B_ = Y + r·G` of `proofs` must be in the issued tree with the proof's amount.
    func checkIssued(_ proofs: [StoredProof], keyset: String, manifest: LiabilityManifest, client: MintClient, report: inout MintLiabilityReport) async throws {
        var blinded = [String: StoredProof]()
        for p in proofs {
            guard let r = p.proof.dleq?.r, let b = try? BDHKE.blind(secret: p.proof.secret, r: r) else {
                report.withoutBlindingFactor += 1
                continue
            }
            blinded[b.hex] = p
        }
        let items = blinded.keys.sorted()
        var proven = [String: LiabilityInclusionProof]()
        for chunk in items.chunks(of: 100) {
            for proof in try await client.liabilityProofs(keyset: keyset, tree: "issued", items: Array(chunk), epoch: manifest.epochIndex).proofs {
                proven[proof.item.lowercased()] = proof
            }
        }
        for b in items {
            let amount = blinded[b]!.proof.amount.rawValue
            guard let proof = proven[b] else {
                report.add(.evidence, "issued", keyset: keyset, item: b, amount: amount, "a blinded message the mint signed is not in its issued tree (hidden issuance)")
                continue
            }
            if proof.value != amount {
                report.add(.evidence, "issued", keyset: keyset, item: b, amount: amount, "the issued tree lists it with amount \(proof.value)")
            } else if !proof.verifies(size: manifest.issuedMMRSize, rootHash: manifest.issuedMMRRootHash, rootSum: manifest.issuedMMRRootSum) {
                report.add(.evidence, "issued", keyset: keyset, item: b, amount: amount, "its inclusion proof does not lead to the signed issued root")
            } else {
                report.issuedChecked += 1
            }
        }
    }

    /// Each Y of `spent` must be in the spent tree (unless the wallet learnt of the spend too late for this epoch:
    /// a token's recipient spends it whenever they like); none of `unspent` may be.
    func checkSpent(
        _ spent: [StoredProof], unspent: [StoredProof], keyset: String, manifest: LiabilityManifest, closedAt: UInt64, grace: UInt64, client: MintClient,
        report: inout MintLiabilityReport
    ) async throws {
        let all = spent + unspent
        guard !all.isEmpty else { return }
        var proven = [String: LiabilityInclusionProof]()
        for chunk in all.map(\.y).chunks(of: 100) {
            for proof in try await client.liabilityProofs(keyset: keyset, tree: "spent", items: Array(chunk), epoch: manifest.epochIndex).proofs {
                proven[proof.item.lowercased()] = proof
            }
        }
        func verifies(_ proof: LiabilityInclusionProof) -> Bool {
            proof.verifies(size: manifest.spentMMRSize, rootHash: manifest.spentMMRRootHash, rootSum: manifest.spentMMRRootSum)
        }
        for p in spent {
            if let proof = proven[p.y], verifies(proof), proof.value == p.proof.amount.rawValue {
                report.spentChecked += 1
            } else if proven[p.y] == nil, p.updatedAt &+ grace > closedAt {
                report.notYetCommitted += 1
            } else {
                report.add(.inconsistency, "spent", keyset: keyset, item: p.y, amount: p.proof.amount.rawValue, "a proof this wallet spent is not in the spent tree as it was")
            }
        }
        for p in unspent {
            guard let proof = proven[p.y] else {
                report.unspentChecked += 1
                continue
            }
            if verifies(proof) {
                report.add(.evidence, "unspent", keyset: keyset, item: p.y, amount: proof.value, "the mint's signed spent tree claims a proof this wallet holds unspent (a spend it did not make)")
            } else {
                report.add(.inconsistency, "unspent", keyset: keyset, item: p.y, amount: proof.value, "the mint offered an invalid inclusion proof for a proof this wallet holds unspent")
            }
        }
    }

    /// The draft's keyset lifecycle rules (`LiabilityLifecycle`) over the epochs' keyset lists.
    static func checkLifecycle(_ manifests: [LiabilityManifest], into report: inout MintLiabilityReport) {
        for v in LiabilityLifecycle.violations(manifests.map { ($0.epochIndex, $0.epochKeysets.compactMap(\.keyset)) }) {
            report.add(.evidence, "lifecycle", keyset: v.keyset, v.detail)
        }
    }
}
