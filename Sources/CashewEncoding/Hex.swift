/// Lower-case hexadecimal encoding and strict decoding (either case accepted, even length, nothing else).
public enum Hex {
    @usableFromInline static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// 0xFF marks a byte that is not a hex digit.
    @usableFromInline static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "0123456789abcdef".utf8.enumerated() { table[Int(c)] = UInt8(i) }
        for (i, c) in "ABCDEF".utf8.enumerated() { table[Int(c)] = UInt8(10 + i) }
        return table
    }()

    /// The lower-case hex string of `bytes`.
    @inlinable
    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let count = bytes.count
        if count == 0 { return "" }
        return String(unsafeUninitializedCapacity: count * 2) { out in
            var i = 0
            for byte in bytes {
                out[i] = digits[Int(byte >> 4)]
                out[i + 1] = digits[Int(byte & 0x0F)]
                i += 2
            }
            return i
        }
    }

    /// Writes the lower-case hex of `bytes` into `out`, which must hold `2 * bytes.count` bytes.
    @inlinable
    public static func encode(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= bytes.count * 2)
        var i = 0
        for byte in bytes {
            out[i] = digits[Int(byte >> 4)]
            out[i + 1] = digits[Int(byte & 0x0F)]
            i += 2
        }
    }

    /// The bytes of a hex string, or nil when it has an odd length or a character that is not a hex digit.
    @inlinable
    public static func decode<S: StringProtocol>(_ string: S) -> [UInt8]? {
        if let fast = string.utf8.withContiguousStorageIfAvailable({ decode(utf8: UnsafeRawBufferPointer($0)) }) {
            return fast
        }
        var copy = String(string)
        return copy.withUTF8 { decode(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// The bytes of hex text given as UTF-8, or nil when it is not strict hex.
    @inlinable
    public static func decode(utf8: UnsafeRawBufferPointer) -> [UInt8]? {
        let count = utf8.count
        guard count % 2 == 0 else { return nil }
        var failed = false
        let result = [UInt8](unsafeUninitializedCapacity: count / 2) { out, initialized in
            var j = 0
            var i = 0
            while i < count {
                let hi = values[Int(utf8[i])]
                let lo = values[Int(utf8[i + 1])]
                if hi | lo == 0xFF || hi > 15 || lo > 15 {
                    failed = true
                    break
                }
                out[j] = hi << 4 | lo
                j += 1
                i += 2
            }
            initialized = failed ? 0 : j
        }
        return failed ? nil : result
    }

    /// Decodes exactly `out.count` bytes of hex from `utf8` into `out`; false if the text is not that.
    @inlinable
    public static func decode(utf8: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Bool {
        guard utf8.count == out.count * 2 else { return false }
        var i = 0
        var j = 0
        while j < out.count {
            let hi = values[Int(utf8[i])]
            let lo = values[Int(utf8[i + 1])]
            if hi > 15 || lo > 15 { return false }
            out[j] = hi << 4 | lo
            i += 2
            j += 1
        }
        return true
    }
}

extension Array where Element == UInt8 {
    /// Decodes strict hex; nil when `hex` is not hex.
    @inlinable
    public init?<S: StringProtocol>(hex: S) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self = bytes
    }

    /// Lower-case hex of the bytes.
    @inlinable
    public var hex: String { Hex.encode(self) }
}
