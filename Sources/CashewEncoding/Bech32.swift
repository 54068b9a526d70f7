/// Bech32 (BIP-173) and Bech32m (BIP-350) strings: a human-readable part, the separator `1`, 5-bit data and a
/// 6-character checksum.
///
/// BOLT11 invoices and NUT-26 payment requests are far longer than BIP-173's 90 characters, so no length limit is
/// applied unless the caller asks for one.
public enum Bech32 {
    /// Which checksum constant the string uses.
    public enum Variant: Sendable, Hashable {
        /// BIP-173 (BOLT11 invoices).
        case bech32
        /// BIP-350 (NUT-26 payment requests).
        case bech32m

        var constant: UInt32 { self == .bech32 ? 1 : 0x2bc8_30a3 }
    }

    /// A decoded string: the lower-cased human-readable part and the 5-bit data without the checksum.
    public struct Decoded: Sendable, Hashable {
        /// Human-readable part, lower case.
        public var hrp: String
        /// Data values, each 0...31, without the checksum.
        public var data: [UInt8]
        /// The checksum variant the string verified with.
        public var variant: Variant
    }

    /// Why a string is not valid Bech32.
    public struct DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
        /// What is wrong.
        public let description: String
        init(_ description: String) { self.description = description }
    }

    static let charset: [UInt8] = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    static let charsetValues: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (i, c) in charset.enumerated() {
            table[Int(c)] = Int8(i)
            if c >= 97 && c <= 122 { table[Int(c) - 32] = Int8(i) }  // the upper-case letter
        }
        return table
    }()

    static func polymod<S: Sequence>(_ values: S) -> UInt32 where S.Element == UInt8 {
        let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
        var chk: UInt32 = 1
        for v in values {
            let top = chk >> 25
            chk = (chk & 0x1ff_ffff) << 5 ^ UInt32(v)
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { chk ^= generator[i] }
        }
        return chk
    }

    static func expandHRP(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    /// Encodes `data` (5-bit values) under `hrp` with the given checksum variant, in lower case.
    public static func encode(hrp: String, data: [UInt8], variant: Variant) -> String {
        let hrpBytes = Array(hrp.lowercased().utf8)
        let values = expandHRP(hrpBytes) + data + [0, 0, 0, 0, 0, 0]
        let mod = polymod(values) ^ variant.constant
        var out = hrpBytes
        out.append(UInt8(ascii: "1"))
        for v in data { out.append(charset[Int(v & 31)]) }
        for i in 0..<6 { out.append(charset[Int((mod >> UInt32(5 * (5 - i))) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes and verifies a Bech32 or Bech32m string. Mixed case is rejected; `maxLength` is optional.
    public static func decode(_ string: String, maxLength: Int? = nil) throws -> Decoded {
        let bytes = Array(string.utf8)
        if let maxLength, bytes.count > maxLength { throw DecodingError("longer than \(maxLength) characters") }
        var hasLower = false
        var hasUpper = false
        for b in bytes {
            if b < 33 || b > 126 { throw DecodingError("character outside the printable ASCII range") }
            if b >= 97 && b <= 122 { hasLower = true }
            if b >= 65 && b <= 90 { hasUpper = true }
        }
        if hasLower && hasUpper { throw DecodingError("mixed upper and lower case") }
        guard let sep = bytes.lastIndex(of: UInt8(ascii: "1")) else { throw DecodingError("no separator") }
        if sep == 0 { throw DecodingError("empty human-readable part") }
        if bytes.count - sep - 1 < 6 { throw DecodingError("checksum too short") }
        let hrp = bytes[..<sep].map { $0 | (($0 >= 65 && $0 <= 90) ? 0x20 : 0) }
        var data = [UInt8]()
        data.reserveCapacity(bytes.count - sep - 1)
        for b in bytes[(sep + 1)...] {
            let v = charsetValues[Int(b)]
            if v < 0 { throw DecodingError("invalid data character") }
            data.append(UInt8(v))
        }
        let check = polymod(expandHRP(hrp) + data)
        let variant: Variant
        switch check {
        case Variant.bech32.constant: variant = .bech32
        case Variant.bech32m.constant: variant = .bech32m
        default: throw DecodingError("checksum mismatch")
        }
        data.removeLast(6)
        return Decoded(hrp: String(decoding: hrp, as: UTF8.self), data: data, variant: variant)
    }

    /// Regroups bits: 8-bit bytes into 5-bit values (`pad` true) or back (`pad` false, which rejects non-zero
    /// padding and a surplus group of 5 or more bits).
    public static func convertBits(_ input: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var acc = 0
        var bits = 0
        var out = [UInt8]()
        out.reserveCapacity(input.count * from / to + 1)
        let maxValue = (1 << to) - 1
        for value in input {
            if Int(value) >> from != 0 { return nil }
            acc = (acc << from) | Int(value)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((acc >> bits) & maxValue))
            }
            acc &= (1 << bits) - 1
        }
        if pad {
            if bits > 0 { out.append(UInt8((acc << (to - bits)) & maxValue)) }
        } else if bits >= from || (acc << (to - bits)) & maxValue != 0 {
            return nil
        }
        return out
    }
}
