import CashewEncoding
import CashuCrypto
import CashuMint
import CashuProtocol
import Secp256k1

extension LedgerAuditor {
    /// The published proof of liabilities against the ledger (Specs/audit.md, check `liabilities`): each
    /// liabilities epoch chains to the one before, lists every keyset alive at its close, signs each keyset's
    /// manifest with the mint's key, follows the lifecycle rules, and each keyset's issued and spent trees are
    /// exactly the ledger's blind signatures and redeemed proofs of the ledger epochs it covers (rebuilt here leaf
    /// by leaf). A tree smaller than the ledger's hides liabilities: the difference is reported as users' loss.
    ///
    /// Incremental runs start from the peaks recorded with the newest liabilities epoch whose ledger epochs were
    /// all checked before (after checking that they bag to its roots), and rebuild only the later epochs.
    func checkLiabilities(
        _ epochs: [LiabilityEpochRecord], snapshot: any LedgerAuditSnapshot, keysets: [KeysetRecord], key: Point?, lastLedgerEpoch: UInt64, into t: inout AuditTally
    ) async throws {
        var previousDigest = [UInt8](repeating: 0, count: 32)
        var previousThrough: UInt64 = 0
        var expected: UInt64 = 1
        var trees = [String: (issued: SumMMR.Accumulator, spent: SumMMR.Accumulator)]()
        // The newest epoch an earlier run covered: rebuilding starts after it.
        let resume = options.checkedThroughEpoch.flatMap { since in epochs.last { $0.throughEpoch <= since } }
        for e in epochs {
            let epochKey = "\(e.epoch)"
            func fail(_ key: String, _ detail: String, amount: UInt128? = nil, direction: AuditFinding.Direction? = nil) {
                t.add(.liabilities, .critical, "liability_keysets", key, "liabilities epoch \(e.epoch): " + detail, amount: amount, direction: direction)
            }
            t.checked[.liabilities, default: 0] += UInt64(e.keysets.count)
            if e.epoch != expected { t.add(.liabilities, .critical, "liability_epochs", epochKey, "epoch \(expected) is missing: the chain jumps to \(e.epoch)") }
            expected = e.epoch + 1
            if e.previous != previousDigest { t.add(.liabilities, .critical, "liability_epochs", epochKey, "does not chain to the previous epoch's global digest") }
            if e.throughEpoch < previousThrough || e.throughEpoch > lastLedgerEpoch {
                t.add(.liabilities, .critical, "liability_epochs", epochKey, "covers ledger epochs through \(e.throughEpoch), after \(previousThrough), of \(lastLedgerEpoch) closed")
            }
            let states = e.keysets.map(\.keyset)
            if LiabilityCommitment.globalDigest(previous: e.previous, epoch: e.epoch, keysets: LiabilityCommitment.sorted(states)) != e.globalDigest
                || LiabilityCommitment.keysetRoot(states) != e.keysetRoot
            {
                t.add(.liabilities, .critical, "liability_epochs", epochKey, "its global digest or keyset root is not the one of its keysets")
            }
            // Every keyset alive at the close is listed: one left out would hide its liabilities. A keyset made in
            // the last `Self.listingGrace` seconds before the close may have been committed after the mint read
            // its keysets (a rotation racing the close): it is left to the next epoch, unless it already signed or
            // redeemed something in the ledger epochs this one covers, which the next epoch would never include.
            let listed = Set(states.map(\.id))
            for k in keysets where !listed.contains(k.id.hex) && (k.finalExpiry.map { $0 > e.closedAt } ?? true) {
                let key = "\(e.epoch)/\(k.id.hex)"
                if k.validFrom &+ Self.listingGrace <= e.closedAt {
                    fail(key, "keyset \(k.id.hex) is alive and not listed")
                } else if e.throughEpoch > previousThrough, k.validFrom <= e.closedAt &+ Self.listingGrace {
                    for tree in LiabilityTree.allCases
                    where !(try await snapshot.liabilityLeaves(keyset: k.id.hex, tree: tree, after: previousThrough, through: e.throughEpoch)).isEmpty {
                        fail(key, "keyset \(k.id.hex) has \(tree.rawValue) rows in the ledger epochs covered and is not listed")
                        break
                    }
                }
            }
            let skip = resume.map { e.epoch <= $0.epoch } ?? false
            for k in e.keysets {
                let s = k.keyset
                let rowKey = "\(e.epoch)/\(s.id)"
                if let key {
                    let message = s.manifestMessage(epoch: e.epoch, timestamp: e.closedAt, previousDigest: e.previous)
                    if !((try? SchnorrSignature(hex: k.signature)).map { key.verifySchnorr($0, message: LiabilityCommitment.messageDigest(message)) } ?? false) {
                        fail(rowKey, "the signature is not the mint key's over the keyset's manifest")
                    }
                }
                if skip {
                    if e.epoch == resume?.epoch {
                        let issued = k.accumulator(.issued), spent = k.accumulator(.spent)
                        if let issued, let spent, (try? issued.root) == s.issuedRoot, (try? spent.root) == s.spentRoot {
                            trees[s.id] = (issued, spent)
                        } else {
                            fail(rowKey, "its recorded peaks do not give its roots")
                        }
                    }
                    continue
                }
                var (issued, spent) = trees[s.id] ?? (SumMMR.Accumulator(), SumMMR.Accumulator())
                for tree in LiabilityTree.allCases where e.throughEpoch > previousThrough {
                    for leaf in try await snapshot.liabilityLeaves(keyset: s.id, tree: tree, after: previousThrough, through: e.throughEpoch) {
                        let parsed = tree == .issued ? try? issued.append(leaf) : try? spent.append(leaf)
                        if parsed == false { fail(rowKey, "a \(tree.rawValue) leaf's point does not parse") }
                    }
                }
                trees[s.id] = (issued, spent)
                compare(issued, s.issuedSize, s.issuedRoot, tree: .issued, rowKey: rowKey, fail: fail)
                compare(spent, s.spentSize, s.spentRoot, tree: .spent, rowKey: rowKey, fail: fail)
            }
            previousDigest = e.globalDigest
            previousThrough = max(previousThrough, e.throughEpoch)
        }
        for v in LiabilityLifecycle.violations(epochs.map { ($0.epoch, $0.keysets.map(\.keyset)) }) {
            t.add(.liabilities, .critical, "liability_keysets", "\(v.epoch)/\(v.keyset)", v.detail)
        }
    }

    /// Seconds before a liabilities epoch's close within which a new keyset may be missing from it (see above).
    static let listingGrace: UInt64 = 60

    /// A published tree against the one rebuilt from the ledger: a smaller published issued sum (or a larger spent
    /// sum) understates what the mint owes.
    private func compare(
        _ rebuilt: SumMMR.Accumulator, _ size: UInt64, _ root: SumMMR.Node, tree: LiabilityTree, rowKey: String,
        fail: (String, String, UInt128?, AuditFinding.Direction?) -> Void
    ) {
        guard let rebuiltRoot = try? rebuilt.root else {
            fail(rowKey, "the ledger's \(tree.rawValue) amounts overflow 64 bits", nil, nil)
            return
        }
        guard rebuilt.size != size || rebuiltRoot != root else { return }
        let understated = tree == .issued ? rebuiltRoot.sum > root.sum : root.sum > rebuiltRoot.sum
        let gap = rebuiltRoot.sum > root.sum ? rebuiltRoot.sum - root.sum : root.sum - rebuiltRoot.sum
        fail(
            rowKey,
            "the published \(tree.rawValue) tree (\(size) leaves, sum \(root.sum)) is not the ledger's (\(rebuilt.size) leaves, sum \(rebuiltRoot.sum))"
                + (understated ? ": it understates the liabilities" : ""),
            gap == 0 ? nil : UInt128(gap), understated ? .usersLost : nil)
    }
}
