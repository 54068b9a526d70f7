import Secp256k1

/// The signed part of an invoice (currency, amount, timestamp and tagged fields), ready to sign.
///
/// Fields are written in the given order and not checked against BOLT11's writer rules, which makes this the tool for
/// unusual invoices; ``Invoice/Builder`` is the checked way to make ordinary ones.
public struct UnsignedInvoice: Sendable, Hashable {
    /// The currency prefix: `bc`, `tb`, `tbs` or `bcrt`.
    public var network: String
    /// The amount in millisatoshis (positive), or nil for an amountless invoice.
    public var amountMsat: UInt64?
    /// Creation time, Unix seconds, below 2³⁵.
    public var timestamp: UInt64
    /// The tagged fields in the order they are written.
    public var fields: [TaggedField]

    /// An unsigned invoice from its parts.
    public init(network: String, amountMsat: UInt64?, timestamp: UInt64, fields: [TaggedField]) {
        self.network = network
        self.amountMsat = amountMsat
        self.timestamp = timestamp
        self.fields = fields
    }

    /// `ln`, the currency prefix and the shortest exact amount.
    public func humanReadablePart() throws -> String {
        guard Invoice.knownNetworks.contains(network) else {
            throw Bolt11Error(.unknownPrefix, "unknown currency prefix '\(network)'")
        }
        return try "ln" + network + (amountMsat.map(Bolt11Amount.format(msat:)) ?? "")
    }

    /// The timestamp and tagged fields as 5-bit words.
    public func dataWords() throws -> [UInt8] {
        guard timestamp < Invoice.timestampLimit else {
            throw Bolt11Error(.invalidTimestamp, "timestamp \(timestamp) does not fit in 35 bits")
        }
        return Invoice.dataWords(timestamp: timestamp, fields: fields)
    }

    /// The 32-byte digest the payee signs.
    public func signingDigest() throws -> [UInt8] {
        try Invoice.signingDigest(humanReadablePart: humanReadablePart(), dataWords: dataWords())
    }

    /// The invoice string carrying `signature` (which is not checked).
    public func encoded(signature: RecoverableSignature) throws -> String {
        try Invoice.assemble(humanReadablePart: humanReadablePart(), dataWords: dataWords(), signature: signature)
    }

    /// Signs with the payee's node key and returns the invoice string, without reading it back.
    public func sign(with key: Scalar) throws -> String {
        try encoded(signature: key.signRecoverable(digest: signingDigest()))
    }
}
