import Foundation
import Logging
import NIOPosix
import PostgresNIO
import SQLiteNIO

/// Reads a nutshell mint's database: an SQLite file (nutshell's `MINT_DATABASE` directory or the `mint.sqlite3` in
/// it) or a PostgreSQL URL. Only reads; the nutshell mint must be stopped, so that nothing changes under the move.
public enum NutshellSource {
    public struct ReadError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Reads everything the import needs from `location`.
    public static func read(_ location: String, logger: Logger) async throws -> NutshellLedger {
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            return try await readPostgres(location, logger: logger)
        }
        var path = location
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { path += "/mint.sqlite3" }
        guard FileManager.default.fileExists(atPath: path) else { throw ReadError("no nutshell database at \(path.prefix(200))") }
        return try await readSQLite(path, logger: logger)
    }

    /// One row as text by column (NULL absent).
    typealias Row = [String: String]

    static func readSQLite(_ path: String, logger: Logger) async throws -> NutshellLedger {
        let db = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        do {
            let ledger = try await read(dialect: .sqlite) { sql in
                try await db.query(sql).map { row in
                    var out = Row()
                    for column in row.columns where column.data != .null {
                        switch column.data {
                        case let .integer(v): out[column.name] = String(v)
                        case let .float(v): out[column.name] = String(Int64(v))
                        case let .text(v): out[column.name] = v
                        case let .blob(v): out[column.name] = String(buffer: v)
                        case .null: break
                        }
                    }
                    return out
                }
            }
            try await db.close()
            return ledger
        } catch {
            try? await db.close()
            throw error
        }
    }

    static func readPostgres(_ url: String, logger: Logger) async throws -> NutshellLedger {
        guard let components = URLComponents(string: url), let host = components.host else { throw ReadError("not a PostgreSQL URL") }
        let database = String(components.path.dropFirst())
        let configuration = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: components.user?.removingPercentEncoding ?? "postgres",
            password: components.password?.removingPercentEncoding, database: database.isEmpty ? nil : database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            let ledger = try await read(dialect: .postgres) { sql in
                let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect()
                return try rows.map { row in
                    var out = Row()
                    for cell in row {
                        if let text = try cell.decode(String?.self) { out[cell.columnName] = text }
                    }
                    return out
                }
            }
            try await connection.close()
            return ledger
        } catch {
            try? await connection.close()
            throw error
        }
    }

    enum Dialect { case sqlite, postgres }

    /// Every column selected as text: nutshell's PostgreSQL schema has TIMESTAMP and BOOL columns where SQLite has
    /// integers.
    static func read(dialect: Dialect, _ query: (String) async throws -> [Row]) async throws -> NutshellLedger {
        func text(_ column: String) -> String { dialect == .postgres ? "\(column)::text AS \(column)" : "CAST(\(column) AS TEXT) AS \(column)" }
        func time(_ column: String) -> String {
            dialect == .postgres
                ? "(CASE WHEN \(column) IS NULL THEN NULL ELSE EXTRACT(EPOCH FROM \(column))::bigint::text END) AS \(column)"
                : "CAST(\(column) AS INTEGER) AS \(column)"
        }
        func flag(_ column: String) -> String {
            dialect == .postgres ? "(CASE WHEN \(column) THEN '1' ELSE '0' END) AS \(column)" : "CAST(\(column) AS INTEGER) AS \(column)"
        }
        let version = try await query("SELECT \(text("version")) FROM dbversions WHERE db = 'mint'").first?["version"].flatMap { Int($0) }
        guard let version else { throw ReadError("not a nutshell mint database (no dbversions row for 'mint')") }
        // Nutshell 0.21's schema (database version 39): keysets with amounts, fees and final expiry; proofs with Y.
        guard version >= 39 else {
            throw ReadError("nutshell database version \(version) is older than nutshell 0.21's (39): start nutshell 0.21 on it once, stop it, then import")
        }

        let keysets = try await query("""
            SELECT id, derivation_path, seed, encrypted_seed, \(flag("active")), unit, \(text("input_fee_ppk")), amounts,
                   \(text("final_expiry")), \(time("valid_from")), \(text("fees_paid"))
            FROM keysets
            """).map { r in
            NutshellLedger.Keyset(
                id: r["id"] ?? "", derivationPath: r["derivation_path"] ?? "", seed: r["seed"].flatMap { $0.isEmpty ? nil : $0 },
                encrypted: !(r["encrypted_seed"] ?? "").isEmpty, active: r["active"] == "1", unit: r["unit"] ?? "sat",
                inputFeePPK: UInt64(r["input_fee_ppk"] ?? "0") ?? 0,
                amounts: r["amounts"].flatMap { text in
                    (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any])?.compactMap { ($0 as? NSNumber)?.uint64Value }
                },
                finalExpiry: r["final_expiry"].flatMap { UInt64($0) }, validFrom: r["valid_from"].flatMap { UInt64($0) } ?? 0,
                feesPaid: UInt64(r["fees_paid"] ?? "0") ?? 0)
        }
        // Ordered, so that a resumed import forms the same batches (and operation IDs) as the first run.
        let promises = try await query("""
            SELECT \(text("amount")), id, b_, c_, \(time("created")), mint_quote FROM promises WHERE c_ IS NOT NULL AND c_ <> '' AND amount > 0
            ORDER BY b_
            """).map { r in
            NutshellLedger.Promise(
                amount: UInt64(r["amount"] ?? "") ?? 0, keysetID: r["id"] ?? "", blindedMessage: r["b_"] ?? "", signature: r["c_"] ?? "",
                created: r["created"].flatMap { UInt64($0) } ?? 0, mintQuote: r["mint_quote"])
        }
        let blankOutputs = try await query("""
            SELECT \(text("amount")), id, b_, melt_quote FROM promises WHERE (c_ IS NULL OR c_ = '') AND melt_quote IS NOT NULL ORDER BY b_
            """).map { r in
            NutshellLedger.BlankOutput(
                amount: UInt64(r["amount"] ?? "") ?? 0, keysetID: r["id"] ?? "", blindedMessage: r["b_"] ?? "", meltQuote: r["melt_quote"] ?? "")
        }
        func proofs(_ table: String) async throws -> [NutshellLedger.Proof] {
            try await query("SELECT \(text("amount")), id, c, secret, y, witness, \(time("created")), melt_quote FROM \(table) ORDER BY secret").map { r in
                NutshellLedger.Proof(
                    amount: UInt64(r["amount"] ?? "") ?? 0, keysetID: r["id"] ?? "", c: r["c"] ?? "", secret: r["secret"] ?? "", y: r["y"],
                    witness: r["witness"], created: r["created"].flatMap { UInt64($0) } ?? 0, meltQuote: r["melt_quote"])
            }
        }
        let mintQuotes = try await query("""
            SELECT quote, method, request, checking_id, unit, \(text("amount")), state, pubkey, \(time("created_time")),
                   \(time("paid_time")), \(time("issued_time"))
            FROM mint_quotes
            """).map { r in
            NutshellLedger.MintQuote(
                quote: r["quote"] ?? "", method: r["method"] ?? "bolt11", request: r["request"] ?? "", checkingID: r["checking_id"] ?? "",
                unit: r["unit"] ?? "sat", amount: UInt64(r["amount"] ?? "") ?? 0, state: r["state"] ?? "", pubkey: r["pubkey"],
                created: r["created_time"].flatMap { UInt64($0) } ?? 0, paid: r["paid_time"].flatMap { UInt64($0) },
                issued: r["issued_time"].flatMap { UInt64($0) })
        }
        let meltQuotes = try await query("""
            SELECT quote, method, request, checking_id, unit, \(text("amount")), \(text("fee_reserve")), state, \(time("created_time")),
                   \(time("paid_time")), \(text("fee_paid")), proof, \(time("expiry"))
            FROM melt_quotes
            """).map { r in
            NutshellLedger.MeltQuote(
                quote: r["quote"] ?? "", method: r["method"] ?? "bolt11", request: r["request"] ?? "", checkingID: r["checking_id"] ?? "",
                unit: r["unit"] ?? "sat", amount: UInt64(r["amount"] ?? "") ?? 0, feeReserve: UInt64(r["fee_reserve"] ?? "0") ?? 0,
                state: r["state"] ?? "", created: r["created_time"].flatMap { UInt64($0) } ?? 0, paid: r["paid_time"].flatMap { UInt64($0) },
                feePaid: r["fee_paid"].flatMap { UInt64($0) }, preimage: r["proof"].flatMap { $0.isEmpty ? nil : $0 },
                expiry: r["expiry"].flatMap { UInt64($0) })
        }
        return NutshellLedger(
            databaseVersion: version, keysets: keysets, promises: promises, blankOutputs: blankOutputs, spent: try await proofs("proofs_used"),
            pending: try await proofs("proofs_pending"), mintQuotes: mintQuotes, meltQuotes: meltQuotes)
    }
}
