import CashuCrypto
import Crypto

/// The digest of one ledger operation as an epoch commits to it (Specs/audit.md, "Epochs"): SHA-256 over a
/// canonical text of the operation, its inputs sorted by `Y` and its outputs sorted by `B_`, one field per line.
///
/// ```
/// cashew-operation-v1
/// <id>
/// <kind>                mint | swap | melt
/// <unit>
/// <quote id, or empty>
/// <fee>                 decimal
/// <created_at>          unix seconds, decimal
/// in <Y> <amount> <keyset id>          per input, ascending Y
/// out <B_> <amount> <keyset id> <C_>   per output, ascending B_
/// ```
///
/// Points and IDs are lower-case hex as the ledger stores them; a damaged row changes the digest.
public struct OperationDigest: Sendable, Hashable {
    public struct Input: Sendable, Hashable {
        public var y: String
        public var amount: UInt64
        public var keysetID: String

        public init(y: String, amount: UInt64, keysetID: String) {
            self.y = y
            self.amount = amount
            self.keysetID = keysetID
        }
    }

    public struct Output: Sendable, Hashable {
        public var b: String
        public var amount: UInt64
        public var keysetID: String
        public var c: String

        public init(b: String, amount: UInt64, keysetID: String, c: String) {
            self.b = b
            self.amount = amount
            self.keysetID = keysetID
            self.c = c
        }
    }

    public var id: String
    public var kind: String
    public var unit: String
    public var quoteID: String?
    public var fee: UInt64
    public var createdAt: UInt64
    public var inputs: [Input]
    public var outputs: [Output]

    public init(id: String, kind: String, unit: String, quoteID: String?, fee: UInt64, createdAt: UInt64, inputs: [Input], outputs: [Output]) {
        self.id = id
        self.kind = kind
        self.unit = unit
        self.quoteID = quoteID
        self.fee = fee
        self.createdAt = createdAt
        self.inputs = inputs
        self.outputs = outputs
    }

    /// The canonical text.
    public var canonicalText: String {
        var text = "cashew-operation-v1\n\(id)\n\(kind)\n\(unit)\n\(quoteID ?? "")\n\(fee)\n\(createdAt)\n"
        for i in inputs.sorted(by: { $0.y.utf8.lexicographicallyPrecedes($1.y.utf8) }) {
            text += "in \(i.y) \(i.amount) \(i.keysetID)\n"
        }
        for o in outputs.sorted(by: { $0.b.utf8.lexicographicallyPrecedes($1.b.utf8) }) {
            text += "out \(o.b) \(o.amount) \(o.keysetID) \(o.c)\n"
        }
        return text
    }

    /// SHA-256 of the canonical text: the operation's leaf data in its epoch's tree.
    public var digest: [UInt8] { Array(SHA256.hash(data: Array(canonicalText.utf8))) }
}
