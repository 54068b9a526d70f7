import CashewSQLite
import CashuCrypto
import CashuProtocol
import Foundation
import SQLiteNIO

/// A pool's proof as a member knows it.
public struct PoolProof: Sendable, Hashable {
    public var proof: Proof
    /// `unspent` or `spent` (as last seen at the mint).
    public var state: String
}

/// One line of a pool's history, as this member saw it.
public struct PoolHistoryEntry: Sendable, Hashable {
    /// `deposit`, `received` (proofs another member shared), `paid`, `melted`, `refunded`.
    public var kind: String
    public var amount: Amount
    public var fee: Amount
    public var detail: String
    public var time: UInt64
}

extension WalletStore {
    /// Records a pool (refused when a pool of that name exists with other funds).
    public func savePool(_ pool: PoolDefinition) async throws {
        let text = String(decoding: try JSONEncoder().encode(pool), as: UTF8.self)
        try await transaction { db in
            if let row = try await db.query("SELECT definition FROM pools WHERE name = ?", [.text(pool.name)]).first {
                let known = try JSONDecoder().decode(PoolDefinition.self, from: Data(try row.text("definition").utf8))
                guard known.sameFunds(as: pool) else { throw WalletStoreError("a different pool is called \(pool.name)") }
                return
            }
            _ = try await db.query("INSERT INTO pools (name, definition, created_at) VALUES (?, ?, ?)", [.text(pool.name), .text(text), .uint(Self.now())])
        }
    }

    public func pools() async throws -> [PoolDefinition] {
        try await read { db in
            try await db.query("SELECT definition FROM pools ORDER BY name").map {
                try JSONDecoder().decode(PoolDefinition.self, from: Data(try $0.text("definition").utf8))
            }
        }
    }

    /// Stores a pool's proofs (ones already known keep their state).
    public func addPoolProofs(_ proofs: [Proof], pool: String) async throws {
        try await transaction { db in try await Self.insertPoolProofs(proofs, pool: pool, db) }
    }

    static func insertPoolProofs(_ proofs: [Proof], pool: String, _ db: SQLiteConnection) async throws {
        for p in proofs {
            _ = try await db.query(
                "INSERT INTO pool_proofs (y, pool, proof, state, added_at) VALUES (?, ?, ?, 'unspent', ?) ON CONFLICT (y) DO NOTHING",
                [.text(try p.y.hex), .text(pool), .text(String(decoding: try JSONEncoder().encode(p), as: UTF8.self)), .uint(now())])
        }
    }

    static func setPoolProofs(_ proofs: [Proof], state: String, _ db: SQLiteConnection) async throws {
        for p in proofs {
            _ = try await db.query("UPDATE pool_proofs SET state = ? WHERE y = ?", [.text(state), .text(try p.y.hex)])
        }
    }

    static func insertPoolHistory(pool: String, _ entry: PoolHistoryEntry, _ db: SQLiteConnection) async throws {
        _ = try await db.query(
            "INSERT INTO pool_history (pool, kind, amount, fee, detail, time) VALUES (?, ?, ?, ?, ?, ?)",
            [.text(pool), .text(entry.kind), .uint(entry.amount.rawValue), .uint(entry.fee.rawValue), .text(entry.detail), .uint(entry.time)])
    }

    public func poolProofs(_ pool: String, state: String? = nil) async throws -> [PoolProof] {
        try await read { db in
            try await db.query(
                "SELECT proof, state FROM pool_proofs WHERE pool = ?" + (state == nil ? "" : " AND state = ?") + " ORDER BY added_at, y",
                [.text(pool)] + (state.map { [.text($0)] } ?? [])
            ).map { PoolProof(proof: try JSONDecoder().decode(Proof.self, from: Data(try $0.text("proof").utf8)), state: try $0.text("state")) }
        }
    }

    /// Marks pool proofs (by secret) spent.
    public func markPoolProofsSpent(_ proofs: [Proof]) async throws {
        try await transaction { db in try await Self.setPoolProofs(proofs, state: "spent", db) }
    }

    /// Records a pool spend about to be sent to the mint (`id` names the proposal: sent again, it stays one row).
    public func savePoolSubmission(id: String, pool: String, proposal: String) async throws {
        try await transaction { db in
            _ = try await db.query(
                "INSERT INTO pool_submissions (id, pool, proposal, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                [.text(id), .text(pool), .text(proposal), .uint(Self.now())])
        }
    }

    /// The pool's spends sent and not yet settled, oldest first: (id, proposal text).
    public func poolSubmissions(_ pool: String) async throws -> [(id: String, proposal: String)] {
        try await read { db in
            try await db.query("SELECT id, proposal FROM pool_submissions WHERE pool = ? ORDER BY created_at, id", [.text(pool)]).map {
                (try $0.text("id"), try $0.text("proposal"))
            }
        }
    }

    /// Forgets a submission the mint refused or never carried out, in one transaction with marking `inputs` as the
    /// mint now has them: `unspent` (the pool's again) or `spent` (they went into another spend).
    public func dropPoolSubmission(_ id: String, marking inputs: [Proof] = [], as state: String = "unspent") async throws {
        try await transaction { db in
            try await Self.setPoolProofs(inputs, state: state, db)
            _ = try await db.query("DELETE FROM pool_submissions WHERE id = ?", [.text(id)])
        }
    }

    /// A pool spend the mint carried out, in one transaction: its inputs spent, the pool's new proofs (change) kept,
    /// the history written, and its submission (if any) settled.
    public func finishPoolSpend(submission id: String?, pool: String, spent: [Proof], change: [Proof], history: PoolHistoryEntry?) async throws {
        try await transaction { db in
            try await Self.setPoolProofs(spent, state: "spent", db)
            try await Self.insertPoolProofs(change, pool: pool, db)
            if let history { try await Self.insertPoolHistory(pool: pool, history, db) }
            if let id { _ = try await db.query("DELETE FROM pool_submissions WHERE id = ?", [.text(id)]) }
        }
    }

    public func addPoolHistory(pool: String, _ entry: PoolHistoryEntry) async throws {
        try await transaction { db in try await Self.insertPoolHistory(pool: pool, entry, db) }
    }

    public func poolHistory(_ pool: String) async throws -> [PoolHistoryEntry] {
        try await read { db in
            try await db.query("SELECT * FROM pool_history WHERE pool = ? ORDER BY id DESC", [.text(pool)]).map {
                PoolHistoryEntry(
                    kind: try $0.text("kind"), amount: Amount(try $0.uint("amount")), fee: Amount(try $0.uint("fee")), detail: try $0.text("detail"),
                    time: try $0.uint("time"))
            }
        }
    }
}
