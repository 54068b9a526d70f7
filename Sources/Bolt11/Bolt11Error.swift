/// Why a string is not an acceptable BOLT11 invoice, or why an invoice cannot be written.
public struct Bolt11Error: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// Not Bech32 (bad character, mixed case, bad checksum), or Bech32m instead of Bech32.
        case invalidEncoding
        /// The human-readable part is not `ln` followed by a known currency prefix (`bc`, `tb`, `tbs`, `bcrt`).
        case unknownPrefix
        /// The amount is malformed, has a leading zero, is a `p` amount not a multiple of 10 msat, or overflows.
        case invalidAmount
        /// The data part is too short, or a tagged field runs into the signature.
        case truncated
        /// No valid `p` (payment hash) field.
        case missingPaymentHash
        /// A known field whose content is malformed (bad UTF-8, non-zero padding, oversized integer, bad key).
        case invalidField
        /// The signature does not parse, has a bad recovery id, recovers no key, or does not verify against `n`.
        case invalidSignature
        /// A timestamp that does not fit in 35 bits (writing only).
        case invalidTimestamp
        /// A field longer than the 1023 words its 10-bit length can express (writing only).
        case fieldTooLong
    }

    /// What went wrong.
    public let code: Code
    /// A short explanation for people.
    public let message: String

    /// An error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
