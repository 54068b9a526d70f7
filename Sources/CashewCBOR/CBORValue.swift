/// A CBOR data item (RFC 8949), as Cashu's V4 tokens and NUT-18 payment requests use it.
///
/// Maps keep their pairs in order so that encoding reproduces a given byte layout exactly.
public enum CBORValue: Sendable, Hashable {
    /// Major type 0.
    case unsigned(UInt64)
    /// Major type 1: the value −1 − n.
    case negative(UInt64)
    /// Major type 2.
    case bytes([UInt8])
    /// Major type 3 (valid UTF-8).
    case text(String)
    /// Major type 4.
    case array([CBORValue])
    /// Major type 5, pairs in order. The decoder rejects duplicate keys.
    case map([CBORPair])
    /// Major type 6.
    indirect case tagged(UInt64, CBORValue)
    /// `false` / `true`.
    case bool(Bool)
    /// `null`.
    case null
    /// `undefined`.
    case undefined
    /// Other simple values (0…19, 32…255).
    case simple(UInt8)
    /// Half, single or double precision float, widened to `Double`.
    case float(Double)

    /// The value of a text key when this is a map.
    public subscript(key: String) -> CBORValue? {
        guard case let .map(pairs) = self else { return nil }
        return pairs.first { $0.key == .text(key) }?.value
    }

    /// The text, when this is a text string.
    public var textValue: String? {
        if case let .text(s) = self { return s }
        return nil
    }

    /// The bytes, when this is a byte string.
    public var bytesValue: [UInt8]? {
        if case let .bytes(b) = self { return b }
        return nil
    }

    /// The unsigned integer, when this is one.
    public var unsignedValue: UInt64? {
        if case let .unsigned(n) = self { return n }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [CBORValue]? {
        if case let .array(a) = self { return a }
        return nil
    }

    /// The pairs, when this is a map.
    public var mapValue: [CBORPair]? {
        if case let .map(m) = self { return m }
        return nil
    }

    /// The Boolean, when this is one.
    public var boolValue: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }
}

/// One key-value pair of a CBOR map.
public struct CBORPair: Sendable, Hashable {
    public var key: CBORValue
    public var value: CBORValue

    public init(_ key: CBORValue, _ value: CBORValue) {
        self.key = key
        self.value = value
    }

    /// A pair with a text key, the common case in Cashu.
    public init(_ key: String, _ value: CBORValue) {
        self.init(.text(key), value)
    }
}
