/// An on-chain fallback address (`f` field), kept as BOLT11 writes it rather than as address text.
public struct FallbackAddress: Sendable, Hashable {
    /// 0...16 for a segwit witness version, 17 for P2PKH, 18 for P2SH.
    public let version: UInt8
    /// The witness program, or the 20-byte public key hash or script hash.
    public let program: [UInt8]

    /// The highest version BOLT11 defines; readers skip `f` fields with any other.
    public static let maxVersion: UInt8 = 18

    /// An address from its version and program; throws for a version above 18.
    public init(version: UInt8, program: [UInt8]) throws {
        guard version <= FallbackAddress.maxVersion else {
            throw Bolt11Error(.invalidField, "fallback address version \(version) is not 0...18")
        }
        self.version = version
        self.program = program
    }

    /// Reads an `f` field: nil for an unknown version (to be skipped), throws for non-zero padding.
    init?(field: TaggedField) throws {
        guard let version = field.words.first, version <= FallbackAddress.maxVersion else { return nil }
        guard let program = Words.bytes(field.words.dropFirst()) else {
            throw Bolt11Error(.invalidField, "fallback address does not end in zero padding")
        }
        self.version = version
        self.program = program
    }

    /// The `f` field for this address.
    func field() throws -> TaggedField {
        try TaggedField(tag: .fallback, words: [version] + Words.from(bytes: program))
    }
}
