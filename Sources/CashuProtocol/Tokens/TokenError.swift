/// Why a string or byte sequence is not a Cashu token.
public struct TokenError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Code: String, Sendable, Hashable {
        /// Not `cashuA`, `cashuB` or `crawB`.
        case unknownPrefix
        /// The payload is not base64url.
        case invalidBase64
        /// The V3 payload is not JSON of the token shape.
        case invalidJSON
        /// The V4 payload is not CBOR of the token shape.
        case invalidCBOR
        /// A required field is missing or has the wrong type or value.
        case invalidField
        /// The token holds no proofs.
        case empty
        /// A V3 token with proofs from several mints, which Cashew does not accept.
        case multipleMints
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
