import CashuMint
import PostgresNIO

extension PostgresMintStore: ResponseCache {
    public func claimResponse(key: String, endpoint: String, owner: String, now: UInt64, staleBefore: UInt64) async throws -> ResponseClaim {
        let claimed = try await write(
            """
            INSERT INTO cached_responses (key, endpoint, owner, response, created_at, expires_at)
            VALUES (\(key), \(endpoint), \(owner), NULL, \(Self.int(now)), \(Self.int(now)))
            ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, response = NULL, created_at = excluded.created_at,
                expires_at = excluded.expires_at
            WHERE (cached_responses.response IS NOT NULL AND cached_responses.expires_at <= excluded.created_at)
                OR (cached_responses.response IS NULL AND cached_responses.created_at < \(Self.int(staleBefore)))
            RETURNING key
            """)
        if !claimed.isEmpty { return .claimed }
        guard let row = try await rows("SELECT response FROM cached_responses WHERE key = \(key)").first,
            let buffer = try row["response"].decode(ByteBuffer?.self)
        else { return .busy }
        return .cached(Array(buffer.readableBytesView))
    }

    public func completeResponse(key: String, endpoint: String, owner: String, response: [UInt8], now: UInt64, expiresAt: UInt64) async throws {
        _ = try await write(
            """
            INSERT INTO cached_responses (key, endpoint, owner, response, created_at, expires_at)
            VALUES (\(key), \(endpoint), \(owner), \(ByteBuffer(bytes: response)), \(Self.int(now)), \(Self.int(expiresAt)))
            ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, response = excluded.response, created_at = excluded.created_at,
                expires_at = excluded.expires_at
            """)
    }

    public func releaseResponse(key: String, owner: String) async throws {
        _ = try await write("DELETE FROM cached_responses WHERE key = \(key) AND owner = \(owner) AND response IS NULL")
    }

    public func cachedResponse(key: String, now: UInt64) async throws -> [UInt8]? {
        guard let row = try await rows(
            "SELECT response FROM cached_responses WHERE key = \(key) AND response IS NOT NULL AND expires_at > \(Self.int(now))"
        ).first, let buffer = try row["response"].decode(ByteBuffer?.self) else { return nil }
        return Array(buffer.readableBytesView)
    }

    /// The answer joins the swap's batch statement (`SwapBatchStatement`): no statement of its own.
    public func swap(inputs: [ProofRecord], outputs: [SignatureRecord], operation: OperationRecord, answer: CachedAnswer) async throws {
        try await swapWriter.submit((inputs, outputs, operation, answer)) { [self] swaps in try await writeSwaps(swaps) }
    }

    /// (A claim's `expires_at` is its `created_at`, so both kinds are found through the expiry index.)
    public func sweepResponses(now: UInt64, staleBefore: UInt64) async throws -> Int {
        try await write(
            """
            DELETE FROM cached_responses
            WHERE expires_at <= \(Self.int(now)) AND (response IS NOT NULL OR created_at < \(Self.int(staleBefore)))
            RETURNING key
            """
        ).count
    }
}
