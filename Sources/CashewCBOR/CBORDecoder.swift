extension CBORValue {
    /// The deepest nesting accepted; deeper input is rejected instead of exhausting the stack.
    public static let maxDepth = 64

    /// Decodes exactly one well-formed, valid item from `bytes`.
    ///
    /// Definite and indefinite lengths are accepted. Rejected: trailing bytes, truncation, reserved additional
    /// information, stray breaks, indefinite strings with foreign chunks, invalid UTF-8, duplicate map keys, nesting
    /// beyond `maxDepth`, and lengths that exceed the remaining input (so a forged length cannot force a huge
    /// allocation).
    public init<Bytes: Collection>(decoding bytes: Bytes) throws where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var reader = CBORReader(bytes: input)
        let value = try reader.readItem(depth: 0)
        guard reader.offset == input.count else { throw CBORError(.trailingBytes, at: reader.offset) }
        self = value
    }
}

struct CBORReader {
    let bytes: [UInt8]
    var offset = 0

    var remaining: Int { bytes.count - offset }

    mutating func readByte() throws -> UInt8 {
        guard offset < bytes.count else { throw CBORError(.truncated, at: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt(_ width: Int) throws -> UInt64 {
        guard remaining >= width else { throw CBORError(.truncated, at: offset) }
        var v: UInt64 = 0
        for _ in 0..<width { v = v << 8 | UInt64(bytes[offset]); offset += 1 }
        return v
    }

    /// Reads the argument for additional information `info`; nil means indefinite length (31).
    mutating func readArgument(_ info: UInt8, at start: Int) throws -> UInt64? {
        switch info {
        case 0..<24: return UInt64(info)
        case 24: return try readUInt(1)
        case 25: return try readUInt(2)
        case 26: return try readUInt(4)
        case 27: return try readUInt(8)
        case 31: return nil
        default: throw CBORError(.malformed, at: start)
        }
    }

    mutating func readLength(_ info: UInt8, at start: Int, minimumItemSize: Int) throws -> Int? {
        guard let n = try readArgument(info, at: start) else { return nil }
        guard n <= UInt64(remaining / minimumItemSize) else { throw CBORError(.lengthTooLarge, at: start) }
        return Int(n)
    }

    mutating func readBytes(_ count: Int) throws -> [UInt8] {
        guard remaining >= count else { throw CBORError(.truncated, at: offset) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// True (and consumes it) if the next byte is the break code 0xFF.
    mutating func atBreak() throws -> Bool {
        guard offset < bytes.count else { throw CBORError(.truncated, at: offset) }
        if bytes[offset] == 0xFF {
            offset += 1
            return true
        }
        return false
    }

    mutating func readItem(depth: Int) throws -> CBORValue {
        guard depth <= CBORValue.maxDepth else { throw CBORError(.tooDeep, at: offset) }
        let start = offset
        let initial = try readByte()
        let major = initial >> 5
        let info = initial & 0x1F
        switch major {
        case 0:
            guard let n = try readArgument(info, at: start) else { throw CBORError(.malformed, at: start) }
            return .unsigned(n)
        case 1:
            guard let n = try readArgument(info, at: start) else { throw CBORError(.malformed, at: start) }
            return .negative(n)
        case 2:
            return .bytes(try readString(major: 2, info: info, start: start))
        case 3:
            let raw = try readString(major: 3, info: info, start: start)
            guard let s = String(validating: raw, as: UTF8.self) else { throw CBORError(.invalidUTF8, at: start) }
            return .text(s)
        case 4:
            var items = [CBORValue]()
            if let count = try readLength(info, at: start, minimumItemSize: 1) {
                items.reserveCapacity(count)
                for _ in 0..<count { items.append(try readItem(depth: depth + 1)) }
            } else {
                while try !atBreak() { items.append(try readItem(depth: depth + 1)) }
            }
            return .array(items)
        case 5:
            var pairs = [CBORPair]()
            var keys = Set<CBORValue>()
            func add(_ key: CBORValue, _ value: CBORValue, at position: Int) throws {
                guard keys.insert(key).inserted else { throw CBORError(.duplicateKey, at: position) }
                pairs.append(CBORPair(key, value))
            }
            if let count = try readLength(info, at: start, minimumItemSize: 2) {
                pairs.reserveCapacity(count)
                for _ in 0..<count {
                    let position = offset
                    let key = try readItem(depth: depth + 1)
                    try add(key, try readItem(depth: depth + 1), at: position)
                }
            } else {
                while try !atBreak() {
                    let position = offset
                    let key = try readItem(depth: depth + 1)
                    try add(key, try readItem(depth: depth + 1), at: position)
                }
            }
            return .map(pairs)
        case 6:
            guard let tag = try readArgument(info, at: start) else { throw CBORError(.malformed, at: start) }
            return .tagged(tag, try readItem(depth: depth + 1))
        default:
            return try readSimple(info: info, start: start)
        }
    }

    mutating func readString(major: UInt8, info: UInt8, start: Int) throws -> [UInt8] {
        if let count = try readLength(info, at: start, minimumItemSize: 1) {
            return try readBytes(count)
        }
        // Indefinite: a sequence of definite chunks of the same major type, then a break.
        var out = [UInt8]()
        while try !atBreak() {
            let chunkStart = offset
            let head = try readByte()
            guard head >> 5 == major, head & 0x1F != 31,
                  let count = try readLength(head & 0x1F, at: chunkStart, minimumItemSize: 1)
            else { throw CBORError(.malformed, at: chunkStart) }
            out += try readBytes(count)
        }
        return out
    }

    mutating func readSimple(info: UInt8, start: Int) throws -> CBORValue {
        switch info {
        case 20: return .bool(false)
        case 21: return .bool(true)
        case 22: return .null
        case 23: return .undefined
        case 0..<20: return .simple(info)
        case 24:
            let v = try readByte()
            // RFC 8949 §3.3: a one-byte simple value below 32 is not well-formed.
            guard v >= 32 else { throw CBORError(.malformed, at: start) }
            return .simple(v)
        case 25: return .float(Double(CBORReader.halfToDouble(UInt16(try readUInt(2)))))
        case 26: return .float(Double(Float(bitPattern: UInt32(try readUInt(4)))))
        case 27: return .float(Double(bitPattern: try readUInt(8)))
        default: throw CBORError(.malformed, at: start)  // 28…30 reserved, 31 is a stray break
        }
    }

    static func halfToDouble(_ h: UInt16) -> Double {
        let exponent = Int(h >> 10 & 0x1F)
        let mantissa = Double(h & 0x3FF)
        let sign: Double = h & 0x8000 != 0 ? -1 : 1
        switch exponent {
        case 0: return sign * mantissa * 0x1p-24
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1 + mantissa / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}
