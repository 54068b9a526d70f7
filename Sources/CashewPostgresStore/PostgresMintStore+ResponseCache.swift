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

    public func answeringOperation(inputs ys: [String], outputs bs: [String]) async throws -> AnsweringOperation? {
        guard let first = bs.first else { return nil }
        // The operation that signed the first output, then whether it spent every input and signed every output.
        guard let row = try await rows(
            """
            SELECT o.id, o.kind, o.quote_id, o.created_at,
                (SELECT count(*) FROM proofs p WHERE p.y = ANY(\(ys)::text[]) AND p.operation_id = o.id AND p.state = 'spent') AS inputs,
                (SELECT count(*) FROM blind_signatures s WHERE s.b = ANY(\(bs)::text[]) AND s.operation_id = o.id) AS outputs
            FROM operations o
            WHERE o.id = (SELECT operation_id FROM blind_signatures WHERE b = \(first))
            """
        ).first else { return nil }
        let inputs = try row["inputs"].decode(Int64.self), outputs = try row["outputs"].decode(Int64.self)
        guard inputs == Set(ys).count, outputs == Set(bs).count,
              let kind = OperationKind(rawValue: try row["kind"].decode(String.self))
        else { return nil }
        return AnsweringOperation(
            id: try row["id"].decode(String.self), kind: kind, quoteID: try row["quote_id"].decode(String?.self),
            createdAt: UInt64(max(0, try row["created_at"].decode(Int64.self))))
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
