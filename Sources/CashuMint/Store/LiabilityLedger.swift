import CashuCrypto
import CashewEncoding
import Foundation
import CashuProtocol

/// Which of a keyset's two sum-MMRs.
public enum LiabilityTree: String, Sendable, CaseIterable {
    /// Blind signatures: `B_` and amount.
    case issued
    /// Redeemed proofs: `Y` and amount.
    case spent
}

/// A closed liabilities epoch as the ledger keeps it (Specs/audit.md, "Proof of liabilities").
public struct LiabilityEpochRecord: Sendable {
    /// One keyset of the epoch: its commitment fields, the peaks the next epoch appends to, its signature.
    public struct Keyset: Sendable {
        public var keyset: LiabilityCommitment.Keyset
        public var issuedPeaks: [SumMMR.Node]
        public var spentPeaks: [SumMMR.Node]
        /// BIP-340 over SHA-256 of the manifest message, hex.
        public var signature: String

        public init(keyset: LiabilityCommitment.Keyset, issuedPeaks: [SumMMR.Node], spentPeaks: [SumMMR.Node], signature: String) {
            self.keyset = keyset
            self.issuedPeaks = issuedPeaks
            self.spentPeaks = spentPeaks
            self.signature = signature
        }
    }

    public var epoch: UInt64
    /// The last ledger epoch whose operations the trees hold.
    public var throughEpoch: UInt64
    public var closedAt: UInt64
    /// The previous epoch's global digest (32 zero bytes for the first).
    public var previous: [UInt8]
    public var globalDigest: [UInt8]
    public var keysetRoot: [UInt8]
    public var keysets: [Keyset]

    public init(
        epoch: UInt64, throughEpoch: UInt64, closedAt: UInt64, previous: [UInt8], globalDigest: [UInt8], keysetRoot: [UInt8], keysets: [Keyset]
    ) {
        self.epoch = epoch
        self.throughEpoch = throughEpoch
        self.closedAt = closedAt
        self.previous = previous
        self.globalDigest = globalDigest
        self.keysetRoot = keysetRoot
        self.keysets = keysets
    }
}

/// One leaf as the ledger holds it: the point (compressed hex) and its amount.
public struct LiabilityLeafRow: Sendable, Hashable {
    public var point: String
    public var amount: Amount

    public init(point: String, amount: Amount) {
        self.point = point
        self.amount = amount
    }
}

/// A ledger that keeps proof-of-liabilities epochs. Leaves come from closed ledger epochs only, which never change,
/// so the trees are append-only by construction: an epoch appends the leaves of the ledger epochs it adds.
public protocol LiabilityLedger: Sendable {
    /// The newest liabilities epoch.
    func lastLiabilityEpoch() async throws -> LiabilityEpochRecord?
    /// When the newest liabilities epoch closed (nil when none has): one row, for the closer's minute-by-minute check.
    func lastLiabilityEpochClose() async throws -> UInt64?
    /// Liabilities epoch `epoch`.
    func liabilityEpoch(_ epoch: UInt64) async throws -> LiabilityEpochRecord?
    /// The number of the newest closed ledger epoch (0 when none is).
    func lastLedgerEpoch() async throws -> UInt64
    /// The leaves of `keyset`'s `tree` from the operations of ledger epochs `after+1 ... through`, in the trees'
    /// order: by ledger epoch, operation ID (bytewise), position in the request, then the point.
    func liabilityLeaves(keyset: String, tree: LiabilityTree, after: UInt64, through: UInt64) async throws -> [LiabilityLeafRow]
    /// Records a closed epoch; false when that epoch number was already recorded (another process closed it).
    func recordLiabilityEpoch(_ record: LiabilityEpochRecord) async throws -> Bool
}

extension LiabilityEpochRecord.Keyset {
    /// Peaks as stored: JSON `[{"hash","sum"}]`.
    public static func encode(_ peaks: [SumMMR.Node]) -> String {
        "[" + peaks.map { #"{"hash":""# + Hex.encode($0.hash) + #"","sum":"# + String($0.sum) + "}" }.joined(separator: ",") + "]"
    }

    public static func decode(_ text: String) throws -> [SumMMR.Node] {
        guard let peaks = try? JSONDecoder().decode([LiabilityInclusionProof.Peak].self, from: Data(text.utf8)) else {
            throw MintStoreError(.unavailable, "liability peaks do not parse")
        }
        return try peaks.map { p in
            guard let h = Hex.decode(p.hash), h.count == 32 else { throw MintStoreError(.unavailable, "liability peak hash does not parse") }
            return SumMMR.Node(hash: h, sum: p.sum)
        }
    }
}

extension LiabilityEpochRecord.Keyset {
    /// The keyset's `tree` as recorded at this epoch, ready to append the next epoch's leaves to (nil when its peaks
    /// do not match its size).
    public func accumulator(_ tree: LiabilityTree) -> SumMMR.Accumulator? {
        tree == .issued
            ? SumMMR.Accumulator(size: keyset.issuedSize, peaks: issuedPeaks) : SumMMR.Accumulator(size: keyset.spentSize, peaks: spentPeaks)
    }
}

extension SumMMR.Accumulator {
    /// Appends a ledger leaf; false (and nothing appended) when its point does not parse.
    public mutating func append(_ row: LiabilityLeafRow) throws -> Bool {
        guard let point = Hex.decode(row.point), point.count == 33 else { return false }
        try append(SumMMR.leaf(point: point, amount: row.amount.rawValue))
        return true
    }
}
