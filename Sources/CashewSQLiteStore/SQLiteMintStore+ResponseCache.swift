import CashewSQLite
import CashuMint
import SQLiteNIO

/// Cached answers are copies: their transactions commit without an fsync of their own (`durable: false`).
extension SQLiteMintStore: ResponseCache {
    public func claimResponse(key: String, endpoint: String, owner: String, now: UInt64, staleBefore: UInt64) async throws -> ResponseClaim {
        try await transaction(durable: false) { db in
            let claimed = try await db.query(
                """
                INSERT INTO cached_responses (key, endpoint, owner, response, created_at, expires_at) VALUES (?, ?, ?, NULL, ?, ?)
                ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, response = NULL, created_at = excluded.created_at,
                    expires_at = excluded.expires_at
                WHERE (cached_responses.response IS NOT NULL AND cached_responses.expires_at <= excluded.created_at)
                    OR (cached_responses.response IS NULL AND cached_responses.created_at < ?)
                RETURNING key
                """, [.text(key), .text(endpoint), .text(owner), .uint(now), .uint(now), .uint(staleBefore)])
            if !claimed.isEmpty { return .claimed }
            guard let row = try await db.query("SELECT response FROM cached_responses WHERE key = ?", [.text(key)]).first,
                case let .blob(buffer) = row.column("response") ?? .null
            else { return .busy }
            return .cached(Array(buffer.readableBytesView))
        }
    }

    public func completeResponse(key: String, endpoint: String, owner: String, response: [UInt8], now: UInt64, expiresAt: UInt64) async throws {
        try await transaction(durable: false) { db in
            _ = try await db.query(
                """
                INSERT INTO cached_responses (key, endpoint, owner, response, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, response = excluded.response, created_at = excluded.created_at,
                    expires_at = excluded.expires_at
                """, [.text(key), .text(endpoint), .text(owner), .blob(ByteBuffer(bytes: response)), .uint(now), .uint(expiresAt)])
        }
    }

    public func releaseResponse(key: String, owner: String) async throws {
        try await transaction(durable: false) { db in
            _ = try await db.query("DELETE FROM cached_responses WHERE key = ? AND owner = ? AND response IS NULL", [.text(key), .text(owner)])
        }
    }

    public func cachedResponse(key: String, now: UInt64) async throws -> [UInt8]? {
        try await read { db in
            guard let row = try await db.query(
                "SELECT response FROM cached_responses WHERE key = ? AND response IS NOT NULL AND expires_at > ?", [.text(key), .uint(now)]
            ).first, case let .blob(buffer) = row.column("response") ?? .null else { return nil }
            return Array(buffer.readableBytesView)
        }
    }

    /// The answer is written in the swap's own (durable) transaction.
    public func swap(inputs: [ProofRecord], outputs: [SignatureRecord], operation: OperationRecord, answer: CachedAnswer) async throws {
        try await transaction { db in
            try await Self.insertOperation(operation, db)
            try await Self.insertProofs(inputs, state: "spent", meltQuoteID: nil, operation: operation, db)
            try await Self.insertSignatures(outputs, operation: operation, db)
            _ = try await db.query(
                """
                INSERT INTO cached_responses (key, endpoint, owner, response, created_at, expires_at) VALUES (?, ?, '', ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, response = excluded.response, created_at = excluded.created_at,
                    expires_at = excluded.expires_at
                """, [.text(answer.key), .text(answer.endpoint), .blob(ByteBuffer(bytes: answer.response)), .uint(answer.createdAt), .uint(answer.expiresAt)])
        }
    }

    /// (A claim's `expires_at` is its `created_at`, so both kinds are found through the expiry index.)
    public func sweepResponses(now: UInt64, staleBefore: UInt64) async throws -> Int {
        try await transaction(durable: false) { db in
            try await db.query(
                """
                DELETE FROM cached_responses
                WHERE expires_at <= ? AND (response IS NOT NULL OR created_at < ?)
                RETURNING key
                """, [.uint(now), .uint(staleBefore)]
            ).count
        }
    }
}
