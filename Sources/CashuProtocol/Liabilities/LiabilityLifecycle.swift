/// The draft's keyset lifecycle rules over consecutive liabilities epochs (Specs/audit.md, "Keyset lifecycle"),
/// checked alike by the wallet (`cashew audit-mint`) and the ledger's auditor.
public enum LiabilityLifecycle {
    /// One broken rule: the epoch, the keyset and what happened.
    public struct Violation: Sendable, Hashable {
        public var epoch: UInt64
        public var keyset: String
        public var detail: String
    }

    /// The declared deactivation epoch never changes and is after the keyset's first epoch; a locked keyset never
    /// reactivates; its issued tree is frozen after the lock epoch; a keyset is locked from its deactivation epoch
    /// on; no tree shrinks. `epochs` in ascending order.
    public static func violations(_ epochs: [(epoch: UInt64, keysets: [LiabilityCommitment.Keyset])]) -> [Violation] {
        var found = [Violation]()
        var previous = [String: LiabilityCommitment.Keyset]()
        var lock = [String: LiabilityCommitment.Keyset]()
        for (e, keysets) in epochs {
            for k in keysets {
                func add(_ detail: String) { found.append(Violation(epoch: e, keyset: k.id, detail: "epoch \(e): " + detail)) }
                if let p = previous[k.id] {
                    if p.deactivationEpoch != k.deactivationEpoch { add("deactivation_epoch changed from \(p.deactivationEpoch) to \(k.deactivationEpoch)") }
                    if !p.active && k.active { add("reactivated after its lock") }
                    if k.issuedSize < p.issuedSize || k.issuedRoot.sum < p.issuedRoot.sum || k.spentSize < p.spentSize || k.spentRoot.sum < p.spentRoot.sum {
                        add("a tree shrank")
                    }
                } else if k.deactivationEpoch <= e {
                    add("first listed with deactivation_epoch \(k.deactivationEpoch), not after it")
                }
                if let locked = lock[k.id], locked.issuedSize != k.issuedSize || locked.issuedRoot != k.issuedRoot { add("issued after its lock") }
                if !k.active, lock[k.id] == nil { lock[k.id] = k }
                if k.active && e >= k.deactivationEpoch { add("still active at or after its deactivation epoch \(k.deactivationEpoch)") }
                previous[k.id] = k
            }
        }
        return found
    }
}
