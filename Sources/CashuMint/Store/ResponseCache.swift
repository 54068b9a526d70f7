/// What a ledger answers when a request claims its NUT-19 cache entry.
public enum ResponseClaim: Sendable, Equatable {
    /// The caller owns the entry: it processes the request, then completes or releases the entry.
    case claimed
    /// The request was answered before, within the TTL: this is that answer, byte for byte.
    case cached([UInt8])
    /// Another request with the same key is being processed (in this process or another) and its claim is fresh.
    case busy
}

/// A NUT-19 answer written in the same ledger transaction as the operation that produced it: the answer exists
/// exactly when the operation committed, and costs the operation no statement of its own.
public struct CachedAnswer: Sendable, Hashable {
    /// SHA-256 (hex) of the request's method, path and body.
    public var key: String
    public var endpoint: String
    /// The 200 answer's body, byte for byte.
    public var response: [UInt8]
    public var createdAt: UInt64
    public var expiresAt: UInt64

    public init(key: String, endpoint: String, response: [UInt8], createdAt: UInt64, expiresAt: UInt64) {
        self.key = key
        self.endpoint = endpoint
        self.response = response
        self.createdAt = createdAt
        self.expiresAt = expiresAt
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
    /// The answer kept for `key`, if it has one that has not expired at `now`.
    func cachedResponse(key: String, now: UInt64) async throws -> [UInt8]?
    /// A swap (as `MintStore.swap`) whose answer is written in the same transaction.
    func swap(inputs: [ProofRecord], outputs: [SignatureRecord], operation: OperationRecord, answer: CachedAnswer) async throws
    /// Deletes answers expired at `now` and pending entries created before `staleBefore`; returns how many.
    func sweepResponses(now: UInt64, staleBefore: UInt64) async throws -> Int
}
