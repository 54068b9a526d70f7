import CashewSQLite
import CashuCrypto
import CashuMint
import CashuProtocol
import SQLiteNIO

extension SQLiteMintStore {
    /// Sums exact to 128 bits: each amount is summed as two 32-bit halves (SQLite sums 64-bit signed integers, and
    /// amounts are stored as UInt64 bit patterns). One read transaction: all sums from one snapshot, even while
    /// another process (a running mint) writes.
    public func auditTotals() async throws -> AuditTotals {
        try await read { db in
            _ = try await db.query("BEGIN")
            do {
                let totals = try await Self.auditTotals(db)
                _ = try await db.query("COMMIT")
                return totals
            } catch {
                _ = try? await db.query("ROLLBACK")
                throw error
            }
        }
    }

    static func auditTotals(_ db: SQLiteConnection) async throws -> AuditTotals {
        do {
            var totals = AuditTotals()
            let halves = "COUNT(*) AS n, SUM(amount & 4294967295) AS lo, SUM((amount >> 32) & 4294967295) AS hi"
            for row in try await db.query("SELECT keyset_id, \(halves) FROM blind_signatures GROUP BY keyset_id") {
                let id = try KeysetID(hex: row.text("keyset_id"))
                totals.keysets[id, default: .init()].issued = try Self.sum(row)
                totals.keysets[id, default: .init()].issuedCount = try row.uint("n")
            }
            for row in try await db.query("SELECT keyset_id, state, \(halves) FROM proofs GROUP BY keyset_id, state") {
                let id = try KeysetID(hex: row.text("keyset_id"))
                if try row.text("state") == "spent" {
                    totals.keysets[id, default: .init()].redeemed = try Self.sum(row)
                    totals.keysets[id, default: .init()].redeemedCount = try row.uint("n")
                } else {
                    totals.keysets[id, default: .init()].pending = try Self.sum(row)
                    totals.keysets[id, default: .init()].pendingCount = try row.uint("n")
                }
            }
            let feeHalves = "SUM(fee & 4294967295) AS lo, SUM((fee >> 32) & 4294967295) AS hi"
            for row in try await db.query("SELECT unit, \(feeHalves) FROM operations GROUP BY unit") {
                totals.fees[CurrencyUnit(try row.text("unit"))] = try Self.sum(row)
            }
            totals.running = try await Self.runningTotals(db)
            return totals
        }
    }

    public func ledgerTotals() async throws -> AuditTotals {
        try await read { db in
            let running = try await Self.runningTotals(db)
            return AuditTotals(keysets: running.keysets, fees: running.fees)
        }
    }

    static func runningTotals(_ db: SQLiteConnection) async throws -> AuditTotals.Running {
        var totals = AuditTotals.Running()
        for row in try await db.query("SELECT kind, key, lo, hi, count FROM ledger_totals") {
            try totals.record(kind: try row.text("kind"), key: try row.text("key"), total: try Self.sum(row), count: try row.uint("count"))
        }
        return totals
    }

    public func pendingMeltCount() async throws -> Int {
        try await read { db in
            Int(try await db.query("SELECT COUNT(*) AS n FROM melt_quotes WHERE state = 'PENDING'").first?.uint("n") ?? 0)
        }
    }

    static func sum(_ row: SQLiteRow) throws -> UInt128 {
        UInt128(try row.uint("hi")) << 32 + UInt128(try row.uint("lo"))
    }
}
