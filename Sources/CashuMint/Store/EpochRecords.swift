import CashuProtocol

/// What the epoch closer hands to the mint core: the next epoch's number, the previous commitment, and the
/// settled operations waiting for an epoch, in ascending ID, each with its digest (`OperationDigest`) and sums.
public struct EpochDraft: Sendable {
    /// One operation of the epoch.
    public struct Operation: Sendable {
        public var id: String
        public var unit: String
        public var fee: UInt64
        /// SHA-256 of the operation's canonical text (`OperationDigest.digest`).
        public var digest: [UInt8]
        /// Sum of its inputs' and its outputs' amounts.
        public var inputs: UInt128
        public var outputs: UInt128

        public init(id: String, unit: String, fee: UInt64, digest: [UInt8], inputs: UInt128, outputs: UInt128) {
            self.id = id
            self.unit = unit
            self.fee = fee
            self.digest = digest
            self.inputs = inputs
            self.outputs = outputs
        }

        /// An operation whose digest is computed here from its rows.
        public init(_ op: OperationDigest) {
            self.init(
                id: op.id, unit: op.unit, fee: op.fee, digest: op.digest, inputs: op.inputs.reduce(UInt128(0)) { $0 + UInt128($1.amount) },
                outputs: op.outputs.reduce(UInt128(0)) { $0 + UInt128($1.amount) })
        }
    }

    public var number: UInt64
    /// The previous epoch's commitment, hex (`EpochManifest.genesis` for the first).
    public var previous: String
    public var operations: [Operation]

    public init(number: UInt64, previous: String, operations: [Operation]) {
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

    public init(epoch: SignedEpoch, closedAt: UInt64, root: String) {
        self.epoch = epoch
        self.closedAt = closedAt
        self.root = root
    }
}
