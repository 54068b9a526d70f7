import FoundationEssentials
import Secp256k1

extension Invoice {
    /// The parameters of a new invoice, checked against BOLT11's writer rules and signed with ``sign(with:)``.
    ///
    /// Fields are written in a fixed order: `p`, `s`, `d`, `h`, `x`, `c`, `n`, `9`, `m`, `f`, `r`, then
    /// ``extraFields``. Optional fields left nil are omitted, so readers use their defaults (expiry 3600, cltv 18).
    public struct Builder: Sendable, Hashable {
        /// The currency prefix: `bc`, `tb`, `tbs` or `bcrt`.
        public var network: String
        /// The amount in millisatoshis (positive), or nil for an amountless invoice.
        public var amountMsat: UInt64?
        /// Creation time, Unix seconds, below 2³⁵.
        public var timestamp: UInt64
        /// The 32-byte payment hash.
        public var paymentHash: [UInt8]
        /// The 32-byte payment secret, if any.
        public var paymentSecret: [UInt8]?
        /// The description; exactly one of this and ``descriptionHash`` must be set.
        public var description: String?
        /// The 32-byte SHA-256 of a description given elsewhere.
        public var descriptionHash: [UInt8]?
        /// Seconds until expiry; written as `x` when set.
        public var expiry: UInt64?
        /// min_final_cltv_expiry_delta; written as `c` when set.
        public var minFinalCltvExpiry: UInt64?
        /// Whether to name the signer in an `n` field.
        public var includesPayee: Bool
        /// Feature bits as 5-bit words (see ``FeatureBits``); written as `9` when set.
        public var features: [UInt8]?
        /// Payment metadata; written as `m` when set.
        public var metadata: [UInt8]?
        /// Fallback on-chain addresses, one `f` field each.
        public var fallbacks: [FallbackAddress]
        /// Route hints, one `r` field each (51 bytes per hop).
        public var routeHints: [[UInt8]]
        /// Further fields written last, as given.
        public var extraFields: [TaggedField]

        /// Parameters for a new invoice; `timestamp` defaults to now.
        public init(
            network: String = "bc", amountMsat: UInt64? = nil, timestamp: UInt64? = nil, paymentHash: [UInt8],
            paymentSecret: [UInt8]? = nil, description: String? = nil, descriptionHash: [UInt8]? = nil,
            expiry: UInt64? = nil, minFinalCltvExpiry: UInt64? = nil, includesPayee: Bool = false,
            features: [UInt8]? = nil, metadata: [UInt8]? = nil, fallbacks: [FallbackAddress] = [],
            routeHints: [[UInt8]] = [], extraFields: [TaggedField] = []
        ) {
            self.network = network
            self.amountMsat = amountMsat
            self.timestamp = timestamp ?? UInt64(max(0, Date().timeIntervalSince1970))
            self.paymentHash = paymentHash
            self.paymentSecret = paymentSecret
            self.description = description
            self.descriptionHash = descriptionHash
            self.expiry = expiry
            self.minFinalCltvExpiry = minFinalCltvExpiry
            self.includesPayee = includesPayee
            self.features = features
            self.metadata = metadata
            self.fallbacks = fallbacks
            self.routeHints = routeHints
            self.extraFields = extraFields
        }

        /// The fields to sign for `payee`, after checking lengths and that exactly one of `d` and `h` is set.
        public func unsigned(payee: Point) throws -> UnsignedInvoice {
            guard paymentHash.count == 32 else { throw Bolt11Error(.invalidField, "payment hash must be 32 bytes") }
            guard paymentSecret.map({ $0.count == 32 }) ?? true else {
                throw Bolt11Error(.invalidField, "payment secret must be 32 bytes")
            }
            guard descriptionHash.map({ $0.count == 32 }) ?? true else {
                throw Bolt11Error(.invalidField, "description hash must be 32 bytes")
            }
            guard (description == nil) != (descriptionHash == nil) else {
                throw Bolt11Error(.invalidField, "an invoice needs exactly one of description and description hash")
            }
            var fields = [try TaggedField(tag: .paymentHash, bytes: paymentHash)]
            if let paymentSecret { fields.append(try TaggedField(tag: .paymentSecret, bytes: paymentSecret)) }
            if let description { fields.append(try TaggedField(tag: .description, bytes: Array(description.utf8))) }
            if let descriptionHash { fields.append(try TaggedField(tag: .descriptionHash, bytes: descriptionHash)) }
            if let expiry { fields.append(try TaggedField(tag: .expiry, integer: expiry)) }
            if let minFinalCltvExpiry { fields.append(try TaggedField(tag: .minFinalCltvExpiry, integer: minFinalCltvExpiry)) }
            if includesPayee { fields.append(try TaggedField(tag: .payee, bytes: payee.compressed)) }
            if let features { fields.append(try TaggedField(tag: .features, words: features)) }
            if let metadata { fields.append(try TaggedField(tag: .metadata, bytes: metadata)) }
            for fallback in fallbacks { fields.append(try fallback.field()) }
            for hint in routeHints { fields.append(try TaggedField(tag: .routeHint, bytes: hint)) }
            fields += extraFields
            return UnsignedInvoice(network: network, amountMsat: amountMsat, timestamp: timestamp, fields: fields)
        }

        /// Signs with the payee's node key and returns the invoice as a reader sees it.
        public func sign(with key: Scalar) throws -> Invoice {
            try Invoice(parsing: unsigned(payee: key.publicPoint).sign(with: key))
        }
    }
}
