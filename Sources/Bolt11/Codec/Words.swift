import CashewEncoding

/// Conversions between 5-bit words (Bech32 data values) and the integers and bytes BOLT11 fields carry.
enum Words {
    /// The big-endian words of `value` with no leading zero words. Zero is one zero word, as lnd writes it: some
    /// readers (the Python `bolt11` package) cannot read an empty integer field.
    static func from(integer value: UInt64) -> [UInt8] {
        if value == 0 { return [0] }
        var words = [UInt8]()
        var v = value
        while v > 0 {
            words.append(UInt8(v & 31))
            v >>= 5
        }
        return words.reversed()
    }

    /// The big-endian integer in `words`, or nil when it does not fit in 64 bits.
    static func integer(_ words: some Collection<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for w in words {
            guard value >> 59 == 0 else { return nil }
            value = value << 5 | UInt64(w & 31)
        }
        return value
    }

    /// Bytes as words, the last word zero-padded.
    static func from(bytes: [UInt8]) -> [UInt8] {
        // Regrouping 8-bit values into 5-bit ones with padding cannot fail.
        Bech32.convertBits(bytes, from: 8, to: 5, pad: true) ?? []
    }

    /// The whole bytes in `words`; nil when the bits left over are not zero padding (or are a whole word).
    static func bytes(_ words: some Collection<UInt8>) -> [UInt8]? {
        Bech32.convertBits(Array(words), from: 5, to: 8, pad: false)
    }

    /// Bits as bytes for hashing: the last byte zero-padded.
    static func paddedBytes(_ words: [UInt8]) -> [UInt8] {
        Bech32.convertBits(words, from: 5, to: 8, pad: true) ?? []
    }
}
