import CSecp256k1

/// An ECDSA signature with its recovery id, as BOLT11 invoices carry it (64 compact bytes + 1 byte).
public struct RecoverableSignature: Sendable, Hashable {
    /// r ‖ s, 64 bytes, big-endian.
    public let compact: [UInt8]
    /// The recovery id, 0...3.
    public let recoveryID: Int32

    /// A signature from its compact form and recovery id.
    public init(compact: [UInt8], recoveryID: Int32) throws {
        guard compact.count == 64, (0...3).contains(recoveryID) else {
            throw Secp256k1Error(.invalidSignature, "a recoverable signature is 64 bytes and a recovery id 0...3")
        }
        self.compact = compact
        self.recoveryID = recoveryID
    }

    /// The public key that produced this signature over a 32-byte digest.
    public func recoverPublicKey(digest: [UInt8]) throws -> Point {
        guard digest.count == 32 else { throw Secp256k1Error(.recoveryFailed, "recovery takes a 32-byte digest") }
        var sig = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(Context.shared.raw, &sig, compact, recoveryID) == 1 else {
            throw Secp256k1Error(.invalidSignature, "signature does not parse")
        }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(Context.shared.raw, &pubkey, &sig, digest) == 1 else {
            throw Secp256k1Error(.recoveryFailed, "no public key recovers from this signature")
        }
        return Point(raw: pubkey)
    }

    /// True when this is a valid low-S ECDSA signature by `publicKey` over the 32-byte digest.
    public func isValid(for publicKey: Point, digest: [UInt8]) -> Bool {
        guard digest.count == 32 else { return false }
        var sig = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_parse_compact(Context.shared.raw, &sig, compact) == 1 else { return false }
        var key = publicKey.raw
        return secp256k1_ecdsa_verify(Context.shared.raw, &sig, digest, &key) == 1
    }
}

extension Scalar {
    /// Signs a 32-byte digest with ECDSA (RFC 6979 nonce, low S) and returns the recoverable signature.
    public func signRecoverable(digest: [UInt8]) throws -> RecoverableSignature {
        guard digest.count == 32 else { throw Secp256k1Error(.signingFailed, "ECDSA signing takes a 32-byte digest") }
        var sig = secp256k1_ecdsa_recoverable_signature()
        guard withUChars({ secp256k1_ecdsa_sign_recoverable(Context.shared.raw, &sig, digest, $0, nil, nil) }) == 1 else {
            throw Secp256k1Error(.signingFailed, "ECDSA signing failed (zero or out-of-range key)")
        }
        var compact = [UInt8](repeating: 0, count: 64)
        var recid: Int32 = 0
        _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(Context.shared.raw, &compact, &recid, &sig)
        return try RecoverableSignature(compact: compact, recoveryID: recid)
    }
}
