import CashewEncoding
import Crypto
import FoundationEssentials
import Secp256k1

/// The wire layout shared by reading and writing: `hrp 1 timestamp fields signature checksum`.
extension Invoice {
    /// Words in the 35-bit timestamp.
    static let timestampWords = 7
    /// Words in the 65-byte signature (64 compact bytes and the recovery id).
    static let signatureWords = 104
    /// One past the largest timestamp 35 bits hold.
    static let timestampLimit: UInt64 = 1 << 35

    /// The timestamp and the tagged fields: the data the signature covers.
    static func dataWords(timestamp: UInt64, fields: [TaggedField]) -> [UInt8] {
        var words = (0..<timestampWords).reversed().map { UInt8(timestamp >> UInt64(5 * $0) & 31) }
        for field in fields { words += field.encodedWords }
        return words
    }

    /// SHA-256 of the human-readable part's bytes followed by the data regrouped into zero-padded bytes.
    static func signingDigest(humanReadablePart: String, dataWords: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: Array(humanReadablePart.utf8) + Words.paddedBytes(dataWords)))
    }

    /// The full invoice string in lower case.
    static func assemble(humanReadablePart: String, dataWords: [UInt8], signature: RecoverableSignature) -> String {
        let signatureBytes = signature.compact + [UInt8(truncatingIfNeeded: signature.recoveryID)]
        return Bech32.encode(hrp: humanReadablePart, data: dataWords + Words.from(bytes: signatureBytes), variant: .bech32)
    }
}
