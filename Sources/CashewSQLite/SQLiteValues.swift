import CashuCrypto
import SQLiteNIO

/// A column that does not hold what the schema says (a damaged or foreign database).
public struct SQLiteColumnError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Conversions between Cashew's values and SQLite values. Amounts are stored as the bit pattern of the `UInt64`.
extension SQLiteData {
    public static func amount(_ amount: Amount) -> SQLiteData { .integer(Int(truncatingIfNeeded: amount.rawValue)) }
    public static func uint(_ value: UInt64) -> SQLiteData { .integer(Int(truncatingIfNeeded: value)) }
    public static func optionalUInt(_ value: UInt64?) -> SQLiteData { value.map { .integer(Int(truncatingIfNeeded: $0)) } ?? .null }
    public static func optionalText(_ value: String?) -> SQLiteData { value.map { .text($0) } ?? .null }
}

extension SQLiteRow {
    public func text(_ column: String) throws -> String {
        guard let value = self.column(column)?.string else { throw SQLiteColumnError(description: "column \(column) is not text") }
        return value
    }

    public func optionalText(_ column: String) -> String? {
        guard let value = self.column(column), value != .null else { return nil }
        return value.string
    }

    public func uint(_ column: String) throws -> UInt64 {
        guard let value = self.column(column)?.integer else { throw SQLiteColumnError(description: "column \(column) is not an integer") }
        return UInt64(bitPattern: Int64(value))
    }

    public func optionalUInt(_ column: String) -> UInt64? {
        guard let value = self.column(column)?.integer else { return nil }
        return UInt64(bitPattern: Int64(value))
    }

    public func amount(_ column: String) throws -> Amount { Amount(try uint(column)) }
}
