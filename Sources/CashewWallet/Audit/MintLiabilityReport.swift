/// What `Wallet.auditMint` found (`cashew audit-mint`; Specs/wallet.md, "Checking a mint's liabilities").
public struct MintLiabilityReport: Sendable {
    public enum Severity: String, Sendable {
        /// Signed data that shows the mint misstating what it owes this wallet's holders: a blinded message it
        /// signed left out of its issued tree, a proof this wallet holds claimed as spent, a broken or rewritten
        /// history, a manifest that does not hold up.
        case evidence
        /// The mint's published data disagrees with this wallet in a way that does not lower its liabilities (a
        /// proof this wallet spent that the spent tree omits).
        case inconsistency
        /// Something could not be checked.
        case warning
    }

    public struct Finding: Sendable, Hashable {
        public var severity: Severity
        /// `manifest`, `chain`, `history`, `lifecycle`, `keysets`, `issued`, `spent`, `unspent`.
        public var check: String
        public var keyset: String?
        /// The blinded message or Y concerned.
        public var item: String?
        public var amount: UInt64?
        public var detail: String
    }

    public var mintURL: String
    /// The newest liabilities epoch and when it closed.
    public var epoch: UInt64 = 0
    public var closedAt: String = ""
    public var epochsChecked = 0
    /// This wallet's blinded messages found in the issued trees, its spent proofs found in the spent trees, and
    /// its unspent proofs checked to be in no spent tree.
    public var issuedChecked = 0
    public var spentChecked = 0
    public var unspentChecked = 0
    /// Proofs too recent for the newest epoch, and proofs whose blinding factor the wallet does not have.
    public var notYetCommitted = 0
    public var withoutBlindingFactor = 0
    /// Outstanding balance per unit over the newest epoch's keysets.
    public var outstanding: [String: Int64] = [:]
    public var findings: [Finding] = []

    public var isClean: Bool { !findings.contains { $0.severity != .warning } }

    mutating func add(_ severity: Severity, _ check: String, keyset: String? = nil, item: String? = nil, amount: UInt64? = nil, _ detail: String) {
        findings.append(Finding(severity: severity, check: check, keyset: keyset, item: item, amount: amount, detail: detail))
    }
}
