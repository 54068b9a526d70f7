import Foundation

/// The auditor's own progress (Specs/audit.md, "Incremental runs"), kept in a file of its own, never in the
/// ledger: the epochs a clean run checked, and their commitments, which later runs hold the ledger to.
public struct AuditState: Codable, Sendable, Hashable {
    public var version = 1
    /// `seed` or `public`: a run with the seed after public ones checks everything once.
    public var mode: String
    /// The key that signed the epochs.
    public var mintPubkey: String?
    /// Operations in epochs up to this one were checked.
    public var checkedThroughEpoch: UInt64
    /// Every checked epoch's commitment, by number.
    public var commitments: [String: String]

    enum CodingKeys: String, CodingKey {
        case version, mode, commitments
        case mintPubkey = "mint_pubkey"
        case checkedThroughEpoch = "checked_through_epoch"
    }

    public init(mode: String, mintPubkey: String?, checkedThroughEpoch: UInt64, commitments: [String: String]) {
        self.mode = mode
        self.mintPubkey = mintPubkey
        self.checkedThroughEpoch = checkedThroughEpoch
        self.commitments = commitments
    }

    /// The state at `path`, nil when there is none yet.
    public static func load(_ path: String) throws -> AuditState? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try JSONDecoder().decode(AuditState.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Writes the state to `path` atomically (a new file renamed over the old).
    public func save(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
