extension CBORValue {
    /// The item's encoding with definite lengths and the shortest argument for every head.
    public var encoded: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(128)
        encode(into: &out)
        return out
    }

    /// Appends the encoding to `out`.
    public func encode(into out: inout [UInt8]) {
        switch self {
        case let .unsigned(n): CBORValue.writeHead(major: 0, argument: n, into: &out)
        case let .negative(n): CBORValue.writeHead(major: 1, argument: n, into: &out)
        case let .bytes(b):
            CBORValue.writeHead(major: 2, argument: UInt64(b.count), into: &out)
            out.append(contentsOf: b)
        case let .text(s):
            let utf8 = s.utf8
            CBORValue.writeHead(major: 3, argument: UInt64(utf8.count), into: &out)
            out.append(contentsOf: utf8)
        case let .array(items):
            CBORValue.writeHead(major: 4, argument: UInt64(items.count), into: &out)
            for item in items { item.encode(into: &out) }
        case let .map(pairs):
            CBORValue.writeHead(major: 5, argument: UInt64(pairs.count), into: &out)
            for pair in pairs {
                pair.key.encode(into: &out)
                pair.value.encode(into: &out)
            }
        case let .tagged(tag, value):
            CBORValue.writeHead(major: 6, argument: tag, into: &out)
            value.encode(into: &out)
        case let .bool(b): out.append(b ? 0xF5 : 0xF4)
        case .null: out.append(0xF6)
        case .undefined: out.append(0xF7)
        case let .simple(v):
            if v < 24 {
                out.append(0xE0 | v)
            } else {
                out.append(contentsOf: [0xF8, v])
            }
        case let .float(d):
            out.append(0xFB)
            withUnsafeBytes(of: d.bitPattern.bigEndian) { out.append(contentsOf: $0) }
        }
    }

    static func writeHead(major: UInt8, argument: UInt64, into out: inout [UInt8]) {
        let m = major << 5
        switch argument {
        case 0..<24: out.append(m | UInt8(argument))
        case 24...0xFF: out.append(contentsOf: [m | 24, UInt8(argument)])
        case 0x100...0xFFFF:
            out.append(m | 25)
            withUnsafeBytes(of: UInt16(argument).bigEndian) { out.append(contentsOf: $0) }
        case 0x1_0000...0xFFFF_FFFF:
            out.append(m | 26)
            withUnsafeBytes(of: UInt32(argument).bigEndian) { out.append(contentsOf: $0) }
        default:
            out.append(m | 27)
            withUnsafeBytes(of: argument.bigEndian) { out.append(contentsOf: $0) }
        }
    }
}
