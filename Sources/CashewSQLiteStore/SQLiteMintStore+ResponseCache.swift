import CashewEncoding
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

    public func answeringOperation(inputs ys: [String], outputs bs: [String]) async throws -> AnsweringOperation? {
        guard let first = bs.first else { return nil }
        return try await read { db in
            guard let op = try await db.query(
                "SELECT o.id, o.kind, o.quote_id, o.created_at FROM operations o WHERE o.id = (SELECT operation_id FROM blind_signatures WHERE b = ?)",
                [.text(first)]
            ).first, let id = op.column("id")?.string, let kind = op.column("kind")?.string.flatMap(OperationKind.init(rawValue:)),
                let createdAt = op.column("created_at")?.integer else { return nil }
            // How many of `values` the operation's rows of `table` hold (in chunks: SQLite limits a statement's
            // parameters).
            func count(_ table: String, _ column: String, _ values: [String], extra: String = "") async throws -> Int {
                var n = 0
                for chunk in values.chunks(of: 500) {
                    n += try await db.query(
                        "SELECT count(*) AS n FROM \(table) WHERE operation_id = ?\(extra) AND \(column) IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ",")))",
                        [.text(id)] + chunk.map { .text($0) }
                    ).first?.column("n")?.integer ?? 0
                }
                return n
            }
            let uniqueYs = Array(Set(ys)), uniqueBs = Array(Set(bs))
            guard try await count("proofs", "y", uniqueYs, extra: " AND state = 'spent'") == uniqueYs.count,
                  try await count("blind_signatures", "b", uniqueBs) == uniqueBs.count
            else { return nil }
            return AnsweringOperation(id: id, kind: kind, quoteID: op.column("quote_id")?.string, createdAt: UInt64(max(0, createdAt)))
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
