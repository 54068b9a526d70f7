import CashuCrypto
import CashuMint
import SQLiteNIO

/// Conversions between ledger values and SQLite values. Amounts are stored as the bit pattern of the `UInt64`.
extension SQLiteData {
    static func amount(_ amount: Amount) -> SQLiteData { .integer(Int(truncatingIfNeeded: amount.rawValue)) }
    static func uint(_ value: UInt64) -> SQLiteData { .integer(Int(truncatingIfNeeded: value)) }
    static func optionalUInt(_ value: UInt64?) -> SQLiteData { value.map { .integer(Int(truncatingIfNeeded: $0)) } ?? .null }
    static func optionalText(_ value: String?) -> SQLiteData { value.map { .text($0) } ?? .null }
}

extension SQLiteRow {
    func text(_ column: String) throws -> String {
        guard let value = self.column(column)?.string else { throw MintStoreError(.unavailable, "column \(column) is not text") }
        return value
    }

    func optionalText(_ column: String) -> String? {
        guard let value = self.column(column), value != .null else { return nil }
        return value.string
    }

    func uint(_ column: String) throws -> UInt64 {
        guard let value = self.column(column)?.integer else { throw MintStoreError(.unavailable, "column \(column) is not an integer") }
        return UInt64(bitPattern: Int64(value))
    }

    func optionalUInt(_ column: String) -> UInt64? {
        guard let value = self.column(column)?.integer else { return nil }
        return UInt64(bitPattern: Int64(value))
    }

    func amount(_ column: String) throws -> Amount { Amount(try uint(column)) }
}
