import CashuMint
import PostgresNIO

extension PostgresMintStore {
    public func settingsOverrides() async throws -> (document: String, version: Int64)? {
        guard let row = try await rows("SELECT document, version FROM mint_settings WHERE id = 1").first else { return nil }
        return (try row.text("document"), try row.int("version"))
    }

    public func saveSettingsOverrides(_ document: String, expected: Int64, at time: UInt64) async throws -> Bool {
        let saved = expected == 0
            ? try await write(
                """
                INSERT INTO mint_settings (id, document, version, updated_at) VALUES (1, \(document), 1, \(Self.int(time)))
                ON CONFLICT (id) DO NOTHING RETURNING id
                """)
            : try await write(
                """
                UPDATE mint_settings SET document = \(document), version = version + 1, updated_at = \(Self.int(time))
                WHERE id = 1 AND version = \(expected) RETURNING id
                """)
        return !saved.isEmpty
    }

    public func markMintQuoteUnpaid(id: String) async throws -> Bool {
        !(try await write("UPDATE mint_quotes SET state = 'UNPAID', paid_at = NULL WHERE id = \(id) AND state = 'PAID' RETURNING id")).isEmpty
    }
}
