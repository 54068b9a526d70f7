import CashuProtocol

/// What the epoch closer hands to the mint core: the next epoch's number, the previous commitment, and the
/// settled operations waiting for an epoch, each with its rows (as `OperationDigest`s, in ascending ID).
public struct EpochDraft: Sendable {
    public var number: UInt64
    /// The previous epoch's commitment, hex (`EpochManifest.genesis` for the first).
    public var previous: String
    public var operations: [OperationDigest]

    public init(number: UInt64, previous: String, operations: [OperationDigest]) {
        self.number = number
        self.previous = previous
        self.operations = operations
    }
}

/// The closed epoch the core makes of a draft: what the store records.
public struct SealedEpoch: Sendable {
    public var epoch: SignedEpoch
    public var closedAt: UInt64
    /// RFC 6962 root, hex.
    public var root: String
    /// Each operation's digest, hex, by operation ID.
    public var digests: [String: String]

    public init(epoch: SignedEpoch, closedAt: UInt64, root: String, digests: [String: String]) {
        self.epoch = epoch
        self.closedAt = closedAt
        self.root = root
        self.digests = digests
    }
}
