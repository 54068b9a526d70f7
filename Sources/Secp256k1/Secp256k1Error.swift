/// An error from the secp256k1 layer: bad encodings, values out of range, or a result that has no representation
/// (the point at infinity, a zero scalar where a non-zero one is required).
public struct Secp256k1Error: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// A scalar that is not below the group order, or zero where zero is not allowed.
        case invalidScalar
        /// Bytes that do not encode a point on the curve in the accepted format.
        case invalidPoint
        /// The result is the point at infinity, which has no SEC1 encoding.
        case pointAtInfinity
        /// A signature that cannot be parsed.
        case invalidSignature
        /// Signing failed (libsecp256k1 refused the key or nonce).
        case signingFailed
        /// Public-key recovery from a signature failed.
        case recoveryFailed
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

    public var description: String { message }
}
