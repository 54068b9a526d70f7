/// Feature bits as the `9` field carries them: a big-endian bit field in 5-bit words, bit 0 being the lowest bit of
/// the last word. Even bits mean "required", odd bits "supported".
public enum FeatureBits {
    /// The highest bit a `9` field can hold (1023 words of 5 bits).
    public static let maxBit = TaggedField.maxWords * 5 - 1

    /// The fewest words with exactly `bits` set; bits outside `0...maxBit` cannot be written and are ignored.
    public static func words(setting bits: some Sequence<Int>) -> [UInt8] {
        let valid = bits.filter { (0...maxBit).contains($0) }
        guard let highest = valid.max() else { return [] }
        var words = [UInt8](repeating: 0, count: highest / 5 + 1)
        for bit in valid { words[words.count - 1 - bit / 5] |= 1 << UInt8(bit % 5) }
        return words
    }

    /// True when `bit` is set in `words`.
    public static func isSet(_ bit: Int, in words: [UInt8]) -> Bool {
        guard bit >= 0, bit / 5 < words.count else { return false }
        return words[words.count - 1 - bit / 5] >> UInt8(bit % 5) & 1 == 1
    }

    /// Every bit set in `words`, lowest first.
    public static func setBits(in words: [UInt8]) -> [Int] {
        (0..<(words.count * 5)).filter { isSet($0, in: words) }
    }

    /// The set even ("required") bits in `words` whose feature — the pair `2k`, `2k+1` — is not in `known`.
    ///
    /// BOLT11 says a payer MUST NOT pay an invoice that requires a feature it does not understand.
    public static func unknownRequiredBits(in words: [UInt8], known: Set<Int>) -> [Int] {
        setBits(in: words).filter { $0 % 2 == 0 && !known.contains($0) && !known.contains($0 + 1) }
    }
}
