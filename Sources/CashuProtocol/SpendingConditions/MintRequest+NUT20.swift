import Crypto
import FoundationEssentials
import Secp256k1

/// NUT-20: a mint request for a quote locked to a public key carries a BIP-340 signature.
///
/// Two message formats exist. The NUT-20 text (the `nuts` revision this project follows) signs
/// SHA-256(quote ‖ B_0 ‖ … ‖ B_n−1), the quote ID and the outputs' hex `B_` as UTF-8. nutshell (0.20.2 and later)
/// and cdk sign a domain-separated, length-prefixed message ("Cashu_MintQuoteSig_v1") and accept the first format
/// as a fallback. Cashew verifies both and signs the specification's format unless asked otherwise, since every
/// mint accepts that one.
extension MintRequest {
    /// The message format of a NUT-20 signature.
    public enum SignatureFormat: Sendable, Hashable, CaseIterable {
        /// SHA-256(utf8(quote) ‖ utf8(hex B_0) ‖ …), as the NUT-20 text specifies.
        case specification
        /// SHA-256("Cashu_MintQuoteSig_v1" ‖ len ‖ quote ‖ (len ‖ amount ‖ len ‖ B_)…) with 4-byte big-endian lengths,
        /// minimal big-endian amounts and 33-byte `B_`, as nutshell and cdk sign.
        case domainSeparatedV1
    }

    /// The bytes whose SHA-256 is signed, in the given format.
    public func signatureMessage(_ format: SignatureFormat = .specification) -> [UInt8] {
        switch format {
        case .specification:
            var message = Array(quote.utf8)
            for output in outputs { message += Array(output.blindedSecret.hex.utf8) }
            return message
        case .domainSeparatedV1:
            func appendPrefixed(_ bytes: [UInt8], to message: inout [UInt8]) {
                withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { message.append(contentsOf: $0) }
                message += bytes
            }
            var message = Array("Cashu_MintQuoteSig_v1".utf8)
            appendPrefixed(Array(quote.utf8), to: &message)
            for output in outputs {
                var amount = withUnsafeBytes(of: output.amount.rawValue.bigEndian) { Array($0) }
                while amount.first == 0 { amount.removeFirst() }
                appendPrefixed(amount, to: &message)
                appendPrefixed(output.blindedSecret.compressed, to: &message)
            }
            return message
        }
    }

    /// This request signed with the quote's private key.
    public func signed(with key: Scalar, format: SignatureFormat = .specification) throws -> MintRequest {
        var copy = self
        copy.signature = try key.schnorrSign(message: Array(SHA256.hash(data: signatureMessage(format)))).hex
        return copy
    }

    /// True when `signature` is a valid BIP-340 signature by `pubkey` on this request, in either format.
    public func hasValidSignature(for pubkey: Point) -> Bool {
        guard let text = signature, let sig = try? SchnorrSignature(hex: text) else { return false }
        return SignatureFormat.allCases.contains { format in
            pubkey.verifySchnorr(sig, message: Array(SHA256.hash(data: signatureMessage(format))))
        }
    }
}
