/// What a ledger answers when a request claims its NUT-19 cache entry.
public enum ResponseClaim: Sendable, Equatable {
    /// The caller owns the entry: it processes the request, then completes or releases the entry.
    case claimed
    /// The request was answered before, within the TTL: this is that answer, byte for byte.
    case cached([UInt8])
    /// Another request with the same key is being processed (in this process or another) and its claim is fresh.
    case busy
}

/// The ledger operation a replayed swap or mint request repeats.
public struct AnsweringOperation: Sendable, Hashable {
    public var id: String
    public var kind: OperationKind
    /// The mint quote (a batch's quotes joined by commas); nil for a swap.
    public var quoteID: String?
    public var createdAt: UInt64

    public init(id: String, kind: OperationKind, quoteID: String?, createdAt: UInt64) {
        self.id = id
        self.kind = kind
        self.quoteID = quoteID
        self.createdAt = createdAt
    }
}

/// NUT-19 cached responses kept in the ledger (Specs/ledger.md, "Cached responses"), so that every process of a mint
/// and a restarted one answer a replay alike. One key is processed by one request at a time: the first claims it,
/// a replay meanwhile waits for its answer.
public protocol ResponseCache: Sendable {
    /// Claims `key`: inserts a pending entry owned by `owner`, or takes over an expired answer or a pending entry
    /// created before `staleBefore` (its owner died); otherwise returns the cached answer or `.busy`.
    func claimResponse(key: String, endpoint: String, owner: String, now: UInt64, staleBefore: UInt64) async throws -> ResponseClaim
    /// Stores the answer of a claimed key, to be replayed until `expiresAt`.
    func completeResponse(key: String, endpoint: String, owner: String, response: [UInt8], now: UInt64, expiresAt: UInt64) async throws
    /// Drops the pending entry of a claimed key whose request failed (an error is not cached).
    func releaseResponse(key: String, owner: String) async throws
    /// The operation that both spent every input `ys` (none for a mint) and signed every output `bs` (hex `Y`s and
    /// `B_`s); nil when there is none. Swap and mint answers are not stored: a replay of a committed swap or mint is
    /// answered from the operation's own signatures (`Mint.swap(_:encode:)`, `Mint.mint(_:encode:)`).
    func answeringOperation(inputs ys: [String], outputs bs: [String]) async throws -> AnsweringOperation?
    /// Deletes answers expired at `now` and pending entries created before `staleBefore`; returns how many.
    func sweepResponses(now: UInt64, staleBefore: UInt64) async throws -> Int
}
