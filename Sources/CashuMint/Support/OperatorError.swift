/// An operator's request (the management API) that the mint refuses. `code` says why, so that the transport can
/// answer with its own status (gRPC: INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION).
public struct OperatorError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// A value out of range or malformed.
        case invalidArgument
        /// No such quote, keyset, URL or contact.
        case notFound
        /// The URL or contact method is already there.
        case alreadyExists
        /// The ledger's rules forbid it (a state change that would release or double-spend proofs, issue twice).
        case refused
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
