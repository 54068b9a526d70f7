import CashuProtocol

/// A wallet operation that could not be done, with a one-line reason for the user.
public struct WalletError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Not enough unspent proofs of the mint and unit.
        case insufficientFunds
        /// The mint does not offer what was asked (unit, keyset).
        case unsupported
        /// The mint broke the protocol (bad signatures, wrong counts): nothing from it was trusted.
        case protocolViolation
        /// A token or request that cannot be used.
        case invalidInput
        /// A Lightning invoice was not paid in time.
        case timeout
        /// A token locked by spending conditions (NUT-11/14) this wallet cannot meet: someone else's key, a missing
        /// preimage, or a lock that has not expired yet.
        case locked
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
