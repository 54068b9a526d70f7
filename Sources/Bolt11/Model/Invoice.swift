import CashewEncoding
import Crypto
import FoundationEssentials
import Secp256k1

/// A decoded, signature-checked BOLT11 Lightning invoice.
///
/// Values come only from ``init(parsing:)`` or ``Builder/sign(with:)``, so the typed properties always agree with
/// ``fields``, the raw tagged fields in their original order, from which ``encoded()`` rebuilds the exact string.
public struct Invoice: Sendable, Hashable {
    /// The currency prefixes this reader understands: mainnet, testnet, signet, regtest.
    public static let knownNetworks: Set<String> = ["bc", "tb", "tbs", "bcrt"]
    /// The expiry, in seconds, when there is no `x` field.
    public static let defaultExpiry: UInt64 = 3600
    /// The min_final_cltv_expiry_delta when there is no `c` field.
    public static let defaultMinFinalCltvExpiry: UInt64 = 18

    /// The invoice in lower case, without any `lightning:` prefix.
    public let bolt11: String
    /// `ln`, the currency prefix and the amount exactly as written (the signature covers it).
    public let humanReadablePart: String
    /// The currency prefix: `bc`, `tb`, `tbs` or `bcrt`.
    public let network: String
    /// The amount in millisatoshis; nil for an invoice that lets the payer choose.
    public let amountMsat: UInt64?
    /// Creation time, Unix seconds.
    public let timestamp: UInt64
    /// `p`: the 32-byte payment hash.
    public let paymentHash: [UInt8]
    /// `s`: the 32-byte payment secret, if any.
    public let paymentSecret: [UInt8]?
    /// `d`: the description, if any.
    public let description: String?
    /// `h`: the 32-byte SHA-256 of a description given elsewhere, if any.
    public let descriptionHash: [UInt8]?
    /// `x`: seconds after ``timestamp`` at which the invoice expires (3600 when absent).
    public let expiry: UInt64
    /// `c`: the min_final_cltv_expiry_delta (18 when absent).
    public let minFinalCltvExpiry: UInt64
    /// The payee's node key: the `n` field when present (the signature verified against it), else recovered.
    public let payee: Point
    /// True when the invoice names its payee in an `n` field.
    public let hasPayeeField: Bool
    /// `9`: the feature bits as raw 5-bit words (see ``FeatureBits``), if any.
    public let features: [UInt8]?
    /// `m`: payment metadata bytes, if any.
    public let metadata: [UInt8]?
    /// `f`: fallback on-chain addresses of known versions, in order.
    public let fallbacks: [FallbackAddress]
    /// `r`: each route hint field's bytes (51 bytes per hop), uninterpreted, in order.
    public let routeHints: [[UInt8]]
    /// Every tagged field in order, including those this reader ignored.
    public let fields: [TaggedField]
    /// Fields this reader did not use: unknown types, `p`/`h`/`s`/`n` of the wrong length, `f` of unknown version,
    /// and repeats of single-valued fields.
    public let ignoredFields: [TaggedField]
    /// The recoverable ECDSA signature over the invoice.
    public let signature: RecoverableSignature

    init(
        bolt11: String, humanReadablePart: String, network: String, amountMsat: UInt64?, timestamp: UInt64,
        paymentHash: [UInt8], paymentSecret: [UInt8]?, description: String?, descriptionHash: [UInt8]?,
        expiry: UInt64, minFinalCltvExpiry: UInt64, payee: Point, hasPayeeField: Bool, features: [UInt8]?,
        metadata: [UInt8]?, fallbacks: [FallbackAddress], routeHints: [[UInt8]], fields: [TaggedField],
        ignoredFields: [TaggedField], signature: RecoverableSignature
    ) {
        self.bolt11 = bolt11
        self.humanReadablePart = humanReadablePart
        self.network = network
        self.amountMsat = amountMsat
        self.timestamp = timestamp
        self.paymentHash = paymentHash
        self.paymentSecret = paymentSecret
        self.description = description
        self.descriptionHash = descriptionHash
        self.expiry = expiry
        self.minFinalCltvExpiry = minFinalCltvExpiry
        self.payee = payee
        self.hasPayeeField = hasPayeeField
        self.features = features
        self.metadata = metadata
        self.fallbacks = fallbacks
        self.routeHints = routeHints
        self.fields = fields
        self.ignoredFields = ignoredFields
        self.signature = signature
    }

    /// The payment hash in lower-case hex.
    public var paymentHashHex: String { Hex.encode(paymentHash) }

    /// Unix time at which the invoice expires (saturating rather than overflowing).
    public var expiresAt: UInt64 {
        let (sum, overflow) = timestamp.addingReportingOverflow(expiry)
        return overflow ? .max : sum
    }

    /// True when `now` (Unix seconds) is at or after ``expiresAt``.
    public func isExpired(now: UInt64) -> Bool { now >= expiresAt }

    /// True when the invoice has expired by the system clock.
    public func isExpired() -> Bool { isExpired(now: UInt64(max(0, Date().timeIntervalSince1970))) }

    /// True when ``descriptionHash`` is the SHA-256 of `description`'s UTF-8 bytes (BOLT11 asks payers to check).
    public func descriptionHashMatches(_ description: String) -> Bool {
        guard let descriptionHash else { return false }
        return Array(SHA256.hash(data: Array(description.utf8))) == descriptionHash
    }

    /// True when feature bit `bit` is set in the `9` field.
    public func hasFeature(_ bit: Int) -> Bool { FeatureBits.isSet(bit, in: features ?? []) }

    /// Required (even) feature bits whose feature is not in `known` (either bit of its pair): a payer must not pay
    /// an invoice for which this is non-empty.
    public func unknownRequiredFeatures(known: Set<Int>) -> [Int] {
        FeatureBits.unknownRequiredBits(in: features ?? [], known: known)
    }

    /// Rebuilds the invoice string from its parts; equal to ``bolt11``.
    public func encoded() -> String {
        Invoice.assemble(
            humanReadablePart: humanReadablePart, dataWords: Invoice.dataWords(timestamp: timestamp, fields: fields),
            signature: signature)
    }
}
