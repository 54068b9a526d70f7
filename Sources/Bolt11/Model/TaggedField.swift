/// One tagged field of an invoice, kept as its raw 5-bit words so that every field, known or not, is written back
/// exactly as it was read.
public struct TaggedField: Sendable, Hashable {
    /// A field type, 0...31, written as the Bech32 character of that value.
    public struct Tag: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The 5-bit type value.
        public let rawValue: UInt8

        /// A tag from its 5-bit value; nil when it is 32 or more.
        public init?(rawValue: UInt8) {
            guard rawValue < 32 else { return nil }
            self.rawValue = rawValue
        }

        /// A tag from its Bech32 character (`p`, `d`, `9`...); nil for a character outside the Bech32 alphabet.
        public init?(character: Character) {
            guard let ascii = character.asciiValue, let index = Tag.alphabet.firstIndex(of: ascii) else { return nil }
            self.rawValue = UInt8(index)
        }

        init(unchecked rawValue: UInt8) { self.rawValue = rawValue }

        /// The Bech32 character the tag is written as.
        public var character: Character { Character(Unicode.Scalar(Tag.alphabet[Int(rawValue)])) }

        public var description: String { String(character) }

        static let alphabet: [UInt8] = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)

        /// `p`: the 32-byte payment hash.
        public static let paymentHash = Tag(unchecked: 1)
        /// `r`: a private route hint.
        public static let routeHint = Tag(unchecked: 3)
        /// `9`: feature bits.
        public static let features = Tag(unchecked: 5)
        /// `x`: seconds until expiry.
        public static let expiry = Tag(unchecked: 6)
        /// `f`: a fallback on-chain address.
        public static let fallback = Tag(unchecked: 9)
        /// `d`: the UTF-8 description.
        public static let description = Tag(unchecked: 13)
        /// `s`: the 32-byte payment secret.
        public static let paymentSecret = Tag(unchecked: 16)
        /// `n`: the payee's 33-byte public key.
        public static let payee = Tag(unchecked: 19)
        /// `h`: SHA-256 of a long description.
        public static let descriptionHash = Tag(unchecked: 23)
        /// `c`: min_final_cltv_expiry_delta.
        public static let minFinalCltvExpiry = Tag(unchecked: 24)
        /// `m`: payment metadata.
        public static let metadata = Tag(unchecked: 27)
    }

    /// The most words a field can hold: its length is written in two words.
    public static let maxWords = 1023

    /// The field type.
    public let tag: Tag
    /// The field data, each value 0...31.
    public let words: [UInt8]

    /// A field from raw words; throws if a word is not 5-bit or there are more than 1023.
    public init(tag: Tag, words: [UInt8]) throws {
        guard words.allSatisfy({ $0 < 32 }) else { throw Bolt11Error(.invalidField, "field '\(tag)' has a word above 31") }
        guard words.count <= TaggedField.maxWords else {
            throw Bolt11Error(.fieldTooLong, "field '\(tag)' has \(words.count) words, at most 1023 fit")
        }
        self.tag = tag
        self.words = words
    }

    /// A field holding bytes, zero-padded to whole words.
    public init(tag: Tag, bytes: [UInt8]) throws {
        try self.init(tag: tag, words: Words.from(bytes: bytes))
    }

    /// A field holding an unsigned integer in the fewest words (zero is one zero word; readers also accept none).
    public init(tag: Tag, integer: UInt64) throws {
        try self.init(tag: tag, words: Words.from(integer: integer))
    }

    init(unchecked tag: Tag, words: [UInt8]) {
        self.tag = tag
        self.words = words
    }

    /// The field's bytes, or nil when the words do not end in zero padding shorter than a word.
    public var bytes: [UInt8]? { Words.bytes(words) }

    /// The field's big-endian integer, or nil when it does not fit in 64 bits.
    public var integer: UInt64? { Words.integer(words) }

    /// The field as written: type, 10-bit length, data.
    var encodedWords: [UInt8] {
        [tag.rawValue, UInt8(words.count >> 5), UInt8(words.count & 31)] + words
    }
}
