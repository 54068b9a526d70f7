import CashewSQLite
import CashuCrypto
import CashuMint
import SQLiteNIO
import Secp256k1

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
            idVersion: try row.uint("id_version") == 0 ? .v1 : .v2, validFrom: try row.uint("valid_from"),
            publicKeys: KeysetRecord.publicKeys(parsing: row.optionalText("public_keys")), deactivatedAt: row.optionalUInt("deactivated_at"))
    }

    public func addKeyset(_ keyset: KeysetRecord) async throws {
        try await transaction { db in
            if keyset.active {
                _ = try await db.query(
                    "UPDATE keysets SET active = 0, deactivated_at = ? WHERE unit = ? AND active = 1", [.uint(keyset.validFrom), .text(keyset.unit.rawValue)])
            }
            let amounts = keyset.amounts.map { String($0.rawValue) }.joined(separator: ",")
            let binds: [SQLiteData] = [
                .text(keyset.id.hex), .text(keyset.unit.rawValue), .integer(keyset.active ? 1 : 0), .uint(keyset.inputFeePPK),
                .optionalUInt(keyset.finalExpiry), .text(keyset.derivationPath.description), .integer(Int(keyset.derivationIndex)),
                .text(amounts), .integer(Int(keyset.idVersion.rawValue)), .uint(keyset.validFrom), .optionalText(keyset.publicKeysText),
            ]
            do {
                _ = try await db.query(
                    """
                    INSERT INTO keysets (id, unit, active, input_fee_ppk, final_expiry, derivation_path, derivation_index, amounts, id_version, valid_from,
                                         public_keys)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    binds)
            } catch where Self.isConstraint(error) {
                throw MintStoreError(.duplicate, "keyset \(keyset.id) exists")
            }
        }
    }

    public func deactivateKeysets(unit: CurrencyUnit) async throws {
        try await transaction { db in
            _ = try await db.query(
                "UPDATE keysets SET active = 0, deactivated_at = CAST(strftime('%s', 'now') AS INTEGER) WHERE unit = ? AND active = 1", [.text(unit.rawValue)])
        }
    }

    public func fillKeysetPublicKeys(_ keys: [KeysetID: [Point]]) async throws {
        guard !keys.isEmpty else { return }
        try await transaction { db in
            for (id, points) in keys {
                _ = try await db.query(
                    "UPDATE keysets SET public_keys = ? WHERE id = ? AND public_keys IS NULL",
                    [.text(points.map(\.hex).joined(separator: ",")), .text(id.hex)])
            }
        }
    }
}
