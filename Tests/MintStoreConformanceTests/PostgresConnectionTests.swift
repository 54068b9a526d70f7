import CashewPostgresStore
import CashuMint
import Foundation
import Logging
import TestSupport
import Testing

@Suite("PostgreSQL connection URLs")
struct PostgresConnectionTests {
    @Test("sslmode: unknown modes and unreadable root files are refused before connecting")
    func badTLSParameters() throws {
        let logger = Logger(label: "test")
        #expect(throws: MintStoreError.self) { _ = try PostgresMintStore(url: "postgres://u@127.0.0.1:1/db?sslmode=sometimes", logger: logger) }
        #expect(throws: MintStoreError.self) {
            _ = try PostgresMintStore(url: "postgres://u@127.0.0.1:1/db?sslmode=verify-full&sslrootcert=/nonexistent/root.pem", logger: logger)
        }
        #expect(throws: MintStoreError.self) { _ = try PostgresMintStore(url: "mysql://u@127.0.0.1/db", logger: logger) }
    }

    @Test("sslmode=prefer falls back to plain text on a server without TLS", .enabled(if: PostgresTestServer.available || PostgresTestServer.required))
    func preferAgainstTheTestServer() async throws {
        // (sslmode=require against this server is not tested here: postgres-nio keeps retrying the connection until
        // its 60-second pool timeout before the query fails.)
        try await PostgresTestServer.withDatabase { url in
            let prefer = try await PostgresMintStore.connect(
                url: url + "?sslmode=prefer", maxConnections: 2, limits: PostgresLedgerLimits(acquireTimeout: .seconds(60)), logger: Logger(label: "test"))
            let applied = try await prefer.whileRunning { try await prefer.migrate() }
            #expect(!applied.isEmpty)
            await prefer.close()
        }
    }
}
