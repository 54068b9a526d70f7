import Crypto
import FoundationEssentials
import Secp256k1

/// NUT-20: a mint request for a quote locked to a public key carries a BIP-340 signature over
/// SHA-256(quote ‖ B_0 ‖ … ‖ B_n−1), the quote ID and the outputs' hex `B_` as UTF-8.
extension MintRequest {
    /// The bytes whose SHA-256 is signed.
    public var signatureMessage: [UInt8] {
        var message = Array(quote.utf8)
        for output in outputs { message += Array(output.blindedSecret.hex.utf8) }
        return message
    }

    /// This request signed with the quote's private key.
    public func signed(with key: Scalar) throws -> MintRequest {
        var copy = self
        copy.signature = try key.schnorrSign(message: Array(SHA256.hash(data: signatureMessage))).hex
        return copy
    }

    /// True when `signature` is a valid BIP-340 signature by `pubkey` on this request.
    public func hasValidSignature(for pubkey: Point) -> Bool {
        guard let text = signature, let sig = try? SchnorrSignature(hex: text) else { return false }
        return pubkey.verifySchnorr(sig, message: Array(SHA256.hash(data: signatureMessage)))
    }
}
