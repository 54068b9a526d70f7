import Foundation

/// The ledger's SQL migrations, in order, for one database flavour.
///
/// Files are `Migrations/sql/<flavour>_<NNNN>_<name>.sql`; a migration's name is its file name without the
/// extension, and that name is what the migrations table records.
public enum LedgerMigrations {
    /// A database flavour.
    public enum Flavour: String, Sendable {
        /// The mint's ledger in PostgreSQL.
        case postgres
        /// The mint's ledger in SQLite.
        case sqlite
        /// The wallet's database (SQLite).
        case wallet
    }

    /// One migration.
    public struct Migration: Sendable, Hashable {
        public let name: String
        public let sql: String
    }

    /// All migrations of `flavour`, in order.
    public static func all(_ flavour: Flavour) throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "sql", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "migration resources are missing"])
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix(flavour.rawValue + "_") && $0.hasSuffix(".sql") }
            .sorted()
        return try files.map { file in
            Migration(name: String(file.dropLast(4)), sql: try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8))
        }
    }

    /// Splits a migration into statements at semicolons that end a line, except inside a PostgreSQL dollar-quoted
    /// body (`$$ … $$`, a function's code) or an SQLite trigger's `BEGIN … END;`, which stay one statement. Comment
    /// lines are dropped.
    public static func statements(_ sql: String) -> [String] {
        var statements = [String]()
        var current = ""
        var inDollarQuote = false
        var inTriggerBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("--") || trimmed.isEmpty { continue }
            current += line + "\n"
            if line.components(separatedBy: "$$").count % 2 == 0 { inDollarQuote.toggle() }
            let upper = trimmed.uppercased()
            if !inDollarQuote, upper.hasPrefix("CREATE TRIGGER"), upper.hasSuffix(" BEGIN") { inTriggerBody = true }
            if inTriggerBody {
                guard upper == "END;" else { continue }
                inTriggerBody = false
            }
            if trimmed.hasSuffix(";"), !inDollarQuote {
                statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { statements.append(rest) }
        return statements
    }
}
