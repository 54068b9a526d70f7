import CashuProtocol
import CashuMint

/// What `cashew-mint audit` prints (Specs/audit.md): the liabilities per keyset and unit, what each check covered,
/// and every finding.
public struct LedgerAuditReport: Sendable, Codable {
    /// Whether the seed-dependent checks ran.
    public enum Mode: String, Sendable, Codable {
        /// Without the seed: what public data proves.
        case `public`
        /// With the seed: every check.
        case seed
    }

    /// One check: how many rows it looked at and how many findings it made.
    public struct CheckSummary: Sendable, Codable {
        public var check: AuditCheck
        public var checked: UInt64
        public var findings: UInt64
        /// Findings beyond the listed ones (at most `LedgerAuditor.listedPerCheck` per check are listed).
        public var omitted: UInt64
        /// Rows this check could not cover (proofs without `C`, SIG_ALL without recorded positions).
        public var unverifiable: UInt64

        enum CodingKeys: String, CodingKey { case check, checked, findings, omitted, unverifiable }
    }

    public var generatedAt: UInt64
    public var mode: Mode
    public var keysets: [AuditReport.Keyset]
    public var units: [AuditReport.Unit]
    public var checks: [CheckSummary]
    public var findings: [AuditFinding]
    /// The closed epochs: how many, and the last one's number and commitment (what an outside auditor saves).
    public var epochs: EpochSummary
    /// Incremental run: operations in epochs up to this one were skipped (checked by an earlier run).
    public var checkedThroughEpoch: UInt64?
    /// The closed epochs as read (for the transparency page; not in the JSON report).
    public var signedEpochs: [SignedEpoch] = []
    /// The newest liabilities epoch as read (for the transparency page; not in the JSON report).
    public var liabilities: LiabilityEpochRecord?

    public struct EpochSummary: Sendable, Codable {
        public var count: UInt64
        public var last: UInt64?
        public var lastCommitment: String?
        /// Every epoch's commitment by number (kept in the auditor's state; not in the JSON report).
        public var commitments: [String: String] = [:]
        public var mintPubkey: String?

        enum CodingKeys: String, CodingKey {
            case count, last
            case lastCommitment = "last_commitment"
            case mintPubkey = "mint_pubkey"
        }
    }

    /// True when a finding other than `info` exists (exit status 2).
    public var hasFindings: Bool { findings.contains { $0.severity != .info } || checks.contains { $0.omitted > 0 } }

    enum CodingKeys: String, CodingKey {
        case mode, keysets, units, checks, findings, epochs
        case generatedAt = "generated_at"
        case checkedThroughEpoch = "checked_through_epoch"
    }

    /// A few lines for a terminal.
    public var summary: String {
        var lines = [String]()
        for u in units {
            lines.append("\(u.unit): issued \(u.issued), redeemed \(u.redeemed), pending \(u.pending), outstanding \(u.outstanding), fees \(u.fees)")
        }
        let bySeverity = Dictionary(grouping: findings, by: \.severity)
        let counts = [AuditFinding.Severity.critical, .error, .warning, .info].compactMap { s in bySeverity[s].map { "\($0.count) \(s.rawValue)" } }
        lines.append("epochs: \(epochs.count) closed" + (epochs.last.map { ", last \($0) commitment \(epochs.lastCommitment ?? "")" } ?? ""))
        let scope = checkedThroughEpoch.map { ", operations after epoch \($0)" } ?? ""
        lines.append("audit (\(mode == .seed ? "with the seed" : "without the seed")\(scope)): " + (counts.isEmpty ? "no findings" : counts.joined(separator: ", ")))
        for c in checks where c.findings > 0 || c.unverifiable > 0 {
            lines.append("  \(c.check.rawValue): \(c.checked) checked, \(c.findings) findings" + (c.unverifiable > 0 ? ", \(c.unverifiable) unverifiable" : ""))
        }
        for f in findings.prefix(20) where f.severity != .info {
            lines.append("  [\(f.severity.rawValue)] \(f.check.rawValue) \(f.table) \(f.key): \(f.detail)")
        }
        if findings.count > 20 { lines.append("  … \(findings.count - 20) more (--json lists them)") }
        if findings.contains(where: { $0.check == .emergency }) {
            lines.append("EMERGENCY: more was redeemed than issued. Rotate the named keysets now (cashew-mint keysets rotate) and investigate.")
        }
        return lines.joined(separator: "\n")
    }
}
