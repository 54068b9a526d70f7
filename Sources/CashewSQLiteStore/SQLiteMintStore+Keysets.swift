import CashewSQLite
import CashuCrypto
import CashuMint
import SQLiteNIO

extension SQLiteMintStore {
    public func checkHealth() async throws {
        try await read { db in _ = try await db.query("SELECT 1") }
    }

    public func keysets() async throws -> [KeysetRecord] {
        try await read { db in
            try await db.query("SELECT * FROM keysets ORDER BY unit, derivation_index").map(Self.keyset)
        }
    }

    static func keyset(_ row: SQLiteRow) throws -> KeysetRecord {
        let amounts = try row.text("amounts").split(separator: ",").map { text -> Amount in
            guard let value = UInt64(text) else { throw MintStoreError(.unavailable, "bad amounts in keyset row") }
            return Amount(value)
        }
        return KeysetRecord(
            id: try KeysetID(hex: row.text("id")), unit: CurrencyUnit(try row.text("unit")), active: try row.uint("active") == 1,
            inputFeePPK: try row.uint("input_fee_ppk"), finalExpiry: row.optionalUInt("final_expiry"),
            derivationPath: try DerivationPath(parsing: row.text("derivation_path")),
            derivationIndex: try UInt32(exactly: row.uint("derivation_index")) ?? { throw MintStoreError(.unavailable, "derivation_index out of range") }(),
            amounts: amounts,
            idVersion: try row.uint("id_version") == 0 ? .v1 : .v2, validFrom: try row.uint("valid_from"))
    }

    public func addKeyset(_ keyset: KeysetRecord) async throws {
        try await transaction { db in
            if keyset.active { _ = try await db.query("UPDATE keysets SET active = 0 WHERE unit = ? AND active = 1", [.text(keyset.unit.rawValue)]) }
            let amounts = keyset.amounts.map { String($0.rawValue) }.joined(separator: ",")
            let binds: [SQLiteData] = [
                .text(keyset.id.hex), .text(keyset.unit.rawValue), .integer(keyset.active ? 1 : 0), .uint(keyset.inputFeePPK),
                .optionalUInt(keyset.finalExpiry), .text(keyset.derivationPath.description), .integer(Int(keyset.derivationIndex)),
                .text(amounts), .integer(Int(keyset.idVersion.rawValue)), .uint(keyset.validFrom),
            ]
            do {
                _ = try await db.query(
                    """
                    INSERT INTO keysets (id, unit, active, input_fee_ppk, final_expiry, derivation_path, derivation_index, amounts, id_version, valid_from)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    binds)
            } catch where Self.isConstraint(error) {
                throw MintStoreError(.duplicate, "keyset \(keyset.id) exists")
            }
        }
    }

    public func deactivateKeysets(unit: CurrencyUnit) async throws {
        try await transaction { db in _ = try await db.query("UPDATE keysets SET active = 0 WHERE unit = ?", [.text(unit.rawValue)]) }
    }
}
