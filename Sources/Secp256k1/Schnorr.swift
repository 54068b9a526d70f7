import CSecp256k1
import CashewEncoding

/// A BIP-340 Schnorr signature (64 bytes), as NUT-11 witnesses and NUT-20 mint requests carry it.
public struct SchnorrSignature: Sendable, Hashable, CustomStringConvertible {
    /// The 64 signature bytes (r ‖ s).
    public let bytes: [UInt8]

    /// A signature from its 64 bytes.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == 64 else { throw Secp256k1Error(.invalidSignature, "a Schnorr signature is 64 bytes") }
        self.bytes = bytes
    }

    /// A signature from 128 hex characters.
    public init(hex: String) throws {
        guard let bytes = Hex.decode(hex) else { throw Secp256k1Error(.invalidSignature, "signature is not hex") }
        try self.init(bytes: bytes)
    }

    /// Lower-case hex (128 characters).
    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }
}

extension Scalar {
    /// Signs a 32-byte message (Cashu signs SHA-256 digests) with BIP-340, using fresh auxiliary randomness
    /// unless `auxiliaryRandomness` (32 bytes) is given.
    public func schnorrSign(message: [UInt8], auxiliaryRandomness: [UInt8]? = nil) throws -> SchnorrSignature {
        guard message.count == 32 else { throw Secp256k1Error(.signingFailed, "BIP-340 signing here takes a 32-byte message") }
        if let aux = auxiliaryRandomness, aux.count != 32 {
            throw Secp256k1Error(.signingFailed, "auxiliary randomness is 32 bytes")
        }
        let aux = auxiliaryRandomness ?? SecureRandom.bytes(32)
        var keypair = secp256k1_keypair()
        guard withUChars({ secp256k1_keypair_create(Context.shared.raw, &keypair, $0) }) == 1 else {
            throw Secp256k1Error(.invalidScalar, "signing key must be non-zero and below n")
        }
        var sig = [UInt8](repeating: 0, count: 64)
        guard secp256k1_schnorrsig_sign32(Context.shared.raw, &sig, message, &keypair, aux) == 1 else {
            throw Secp256k1Error(.signingFailed, "BIP-340 signing failed")
        }
        // Clear the secret half of the keypair copy.
        withUnsafeMutableBytes(of: &keypair) { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
        return try SchnorrSignature(bytes: sig)
    }
}

extension Point {
    /// Verifies a BIP-340 signature on `message` (any length) against this point's x-only key.
    public func verifySchnorr(_ signature: SchnorrSignature, message: [UInt8]) -> Bool {
        var xonly = secp256k1_xonly_pubkey()
        var key = raw
        guard secp256k1_xonly_pubkey_from_pubkey(Context.shared.raw, &xonly, nil, &key) == 1 else { return false }
        return secp256k1_schnorrsig_verify(Context.shared.raw, signature.bytes, message, message.count, &xonly) == 1
    }
}
