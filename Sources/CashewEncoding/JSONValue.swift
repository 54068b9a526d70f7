/// A JSON document that keeps object keys in their order and numbers as written.
///
/// Foundation's `JSONEncoder` neither keeps key order nor lets us choose it, but Cashu needs byte-exact JSON in two
/// places: V3 tokens (`cashuA`) and NUT-10 secrets, whose exact string is hashed and signed.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number, kept as its literal text so that 64-bit integers survive exactly.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Key-value pairs in document order. The parser rejects duplicate keys.
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case let .bool(b): hasher.combine(b)
        case let .number(n): hasher.combine(n)
        case let .string(s): hasher.combine(s)
        case let .array(a): hasher.combine(a)
        case let .object(o):
            hasher.combine(o.count)
            for (k, v) in o {
                hasher.combine(k)
                hasher.combine(v)
            }
        }
    }

    /// An unsigned integer value.
    public static func uint(_ value: UInt64) -> JSONValue { .number(String(value)) }
    /// A signed integer value.
    public static func int(_ value: Int64) -> JSONValue { .number(String(value)) }

    /// The value of `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    /// The element at `index` when this is an array.
    public subscript(index: Int) -> JSONValue? {
        guard case let .array(items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    /// The Boolean, when this is a Boolean.
    public var boolValue: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    /// The array, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }

    /// The pairs, when this is an object.
    public var objectValue: [(String, JSONValue)]? {
        if case let .object(o) = self { return o }
        return nil
    }

    /// The number as a `UInt64` when it is a plain non-negative integer literal that fits.
    public var uint64Value: UInt64? {
        guard case let .number(text) = self else { return nil }
        return UInt64(text)
    }

    /// The number as an `Int64` when it is a plain integer literal that fits.
    public var int64Value: Int64? {
        guard case let .number(text) = self else { return nil }
        return Int64(text)
    }

    /// The number as a `Double`.
    public var doubleValue: Double? {
        guard case let .number(text) = self else { return nil }
        return Double(text)
    }

    /// True for `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
