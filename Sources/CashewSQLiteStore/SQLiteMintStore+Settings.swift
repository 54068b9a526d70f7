import CashewSQLite
import CashuMint
import SQLiteNIO

extension SQLiteMintStore {
    public func settingsOverrides() async throws -> (document: String, version: Int64)? {
        try await read { db in
            guard let row = try await db.query("SELECT document, version FROM mint_settings WHERE id = 1").first else { return nil }
            return (try row.text("document"), Int64(bitPattern: try row.uint("version")))
        }
    }

    public func saveSettingsOverrides(_ document: String, expected: Int64, at time: UInt64) async throws -> Bool {
        try await transaction { db in
            let saved = expected == 0
                ? try await db.query(
                    "INSERT INTO mint_settings (id, document, version, updated_at) VALUES (1, ?, 1, ?) ON CONFLICT (id) DO NOTHING RETURNING id",
                    [.text(document), .uint(time)])
                : try await db.query(
                    "UPDATE mint_settings SET document = ?, version = version + 1, updated_at = ? WHERE id = 1 AND version = ? RETURNING id",
                    [.text(document), .uint(time), .integer(Int(expected))])
            return !saved.isEmpty
        }
    }

    public func markMintQuoteUnpaid(id: String) async throws -> Bool {
        try await transaction { db in
            !(try await db.query(
                "UPDATE mint_quotes SET state = 'UNPAID', paid_at = NULL WHERE id = ? AND state = 'PAID' RETURNING id", [.text(id)])
            ).isEmpty
        }
    }
}
