import Foundation
import TestSupport
import Testing

/// The audit only reads: it runs as a PostgreSQL role that has SELECT and nothing else (as on a streaming replica).
@Suite("Audit under a SELECT-only role", .enabled(if: PostgresTestServer.available), .serialized)
struct ReadOnlyAuditTests {
    @Test("cashew-mint audit as a SELECT-only role: the same report as the mint's own role; a write is refused")
    func selectOnly() async throws {
        let role = "auditor_\(UUID().uuidString.prefix(8).lowercased())"
        try await PostgresTestServer.withDatabase { url in
            let mint = try await CashewMintProcess(database: url)
            defer { mint.stop(); mint.removeData() }
            _ = try await HTTPWallet(url: mint.url).mint(100)
            let database = try #require(URL(string: url)?.lastPathComponent)
            for sql in [
                "CREATE ROLE \(role) LOGIN PASSWORD 'audit-pw'", "GRANT CONNECT ON DATABASE \(database) TO \(role)",
                "GRANT USAGE ON SCHEMA public TO \(role)", "GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(role)",
            ] {
                try await PostgresTestServer.execute(sql, url: url)
            }
            var components = try #require(URLComponents(string: url))
            components.user = role
            components.password = "audit-pw"
            let auditorURL = try #require(components.string)
            let own = try await Interop.run(CashewMintProcess.executable, ["audit", "--json", "--full", "--state", mint.dataDir + "/own-state.json", "--data-dir", mint.dataDir, "--database", url])
            let audited = try await Interop.run(CashewMintProcess.executable, ["audit", "--json", "--full", "--state", mint.dataDir + "/role-state.json", "--data-dir", mint.dataDir, "--database", auditorURL])
            #expect(audited.status == 0, "\(audited.stdout) \(audited.stderr)")
            let a = try #require(try JSONSerialization.jsonObject(with: Data(own.stdout.utf8)) as? [String: Any])
            let b = try #require(try JSONSerialization.jsonObject(with: Data(audited.stdout.utf8)) as? [String: Any])
            #expect((a["units"] as? [[String: Any]])?.first?["issued"] as? Int == 100)
            #expect(NSDictionary(dictionary: a.filter { $0.key != "generated_at" }).isEqual(to: b.filter { $0.key != "generated_at" }))
            #expect((b["findings"] as? [Any])?.isEmpty == true)
            // The role really cannot write: rotating a keyset as it fails.
            let rotate = try await Interop.run(CashewMintProcess.executable, ["keysets", "rotate", "--data-dir", mint.dataDir, "--database", auditorURL])
            #expect(rotate.status != 0, "\(rotate.stdout) \(rotate.stderr)")
        }
        try? await PostgresTestServer.execute("DROP ROLE IF EXISTS \(role)", url: PostgresTestServer.settings!.url(database: "postgres"))
    }
}
