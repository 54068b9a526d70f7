/// Why the ledger refused a write. Stores raise these from database constraint violations (unique keys, state
/// conditions), never from an in-memory check alone; the mint turns them into NUT errors.
public struct MintStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What conflicted.
    public enum Code: String, Sendable, Hashable {
        /// An input's `Y` is already spent.
        case proofsSpent
        /// An input's `Y` is held by a pending melt.
        case proofsPending
        /// An output's `B_` was already signed.
        case outputsSigned
        /// The quote does not exist.
        case quoteNotFound
        /// The quote is not in the state the operation needs (it has moved on concurrently, or was never there).
        case quoteState
        /// A record with this key already exists (keysets, quotes).
        case duplicate
        /// The database failed (connection, I/O); nothing is known to be written.
        case unavailable
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// A refusal because of what is already in the ledger (as opposed to a failure to reach it).
    public var isConflict: Bool {
        switch code {
        case .proofsSpent, .proofsPending, .outputsSigned, .duplicate, .quoteState: true
        case .quoteNotFound, .unavailable: false
        }
    }
}
