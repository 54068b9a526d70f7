/// `JSONValue` through `Codable`, for free-form parts of typed models (such as `/v1/info`'s `nuts`).
///
/// Through Foundation's coders the order of object keys is not kept; use `JSONValue(parsing:)` and `serialized`
/// where order matters.
extension JSONValue: Codable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: Key.self) {
            var pairs = [(String, JSONValue)]()
            for key in object.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                pairs.append((key.stringValue, try object.decode(JSONValue.self, forKey: key)))
            }
            self = .object(pairs)
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var items = [JSONValue]()
            while !array.isAtEnd { items.append(try array.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let b = try? single.decode(Bool.self) {
            self = .bool(b)
        } else if let u = try? single.decode(UInt64.self) {
            self = .uint(u)
        } else if let i = try? single.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? single.decode(Double.self) {
            self = .number(String(d))
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case let .bool(b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case let .number(text):
            var c = encoder.singleValueContainer()
            if let u = UInt64(text) {
                try c.encode(u)
            } else if let i = Int64(text) {
                try c.encode(i)
            } else {
                try c.encode(Double(text) ?? 0)
            }
        case let .string(s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case let .array(items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case let .object(pairs):
            var c = encoder.container(keyedBy: Key.self)
            for (k, v) in pairs { try c.encode(v, forKey: Key(stringValue: k)) }
        }
    }
}
