/// Why an input's spending condition (NUT-11, NUT-14) rejects a spend.
public struct SpendingConditionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Code: String, Sendable, Hashable {
        /// The secret breaks NUT-10/11/14's rules, so the proof is unspendable.
        case malformedSecret
        /// The witness is not valid JSON of the witness shape.
        case invalidWitness
        /// The signatures or preimage do not satisfy the condition.
        case unmet
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
