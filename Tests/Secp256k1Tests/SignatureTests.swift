import CashewEncoding
import Secp256k1
import Testing

@Suite("BIP-340 Schnorr and recoverable ECDSA")
struct SignatureTests {
    @Test("BIP-340 test vector 0 (secret key 3, zero message, zero auxiliary randomness)")
    func bip340Vector() throws {
        let key = try Scalar(bytes: [UInt8](repeating: 0, count: 31) + [3])
        #expect(Hex.encode(try key.publicPoint.xOnly).uppercased() == "F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9")
        let sig = try key.schnorrSign(message: [UInt8](repeating: 0, count: 32), auxiliaryRandomness: [UInt8](repeating: 0, count: 32))
        #expect(sig.hex.uppercased()
            == "E907831F80848D1069A5371B402410364BDF1C5F8307B0084C55F1CE2DCA821525F66A4A85EA8B71E482A74F382D2CE5EBEEE8FDB2172F477DF4900D310536C0")
        #expect(try key.publicPoint.verifySchnorr(sig, message: [UInt8](repeating: 0, count: 32)))
    }

    @Test("Schnorr signatures verify for the x-only key, and only for the signed message")
    func schnorr() throws {
        for _ in 0..<50 {
            let key = Scalar.random()
            let message = SecureRandom.bytes(32)
            let sig = try key.schnorrSign(message: message)
            let pub = try key.publicPoint
            #expect(pub.verifySchnorr(sig, message: message))
            // BIP-340 keys are x-only: the negated point (same x) verifies too.
            #expect(pub.negated().verifySchnorr(sig, message: message))
            var other = message
            other[0] ^= 1
            #expect(!pub.verifySchnorr(sig, message: other))
            var bent = sig.bytes
            bent[63] ^= 1
            #expect(!pub.verifySchnorr(try SchnorrSignature(bytes: bent), message: message))
            #expect(!(try Scalar.random().publicPoint).verifySchnorr(sig, message: message))
        }
        #expect(throws: Secp256k1Error.self) { try SchnorrSignature(bytes: [1, 2]) }
        #expect(throws: Secp256k1Error.self) { try Scalar.random().schnorrSign(message: [1, 2, 3]) }
    }

    @Test("recoverable ECDSA recovers the signer")
    func recoverable() throws {
        for _ in 0..<50 {
            let key = Scalar.random()
            let digest = SecureRandom.bytes(32)
            let sig = try key.signRecoverable(digest: digest)
            #expect(try sig.recoverPublicKey(digest: digest) == key.publicPoint)
            #expect(sig.isValid(for: try key.publicPoint, digest: digest))
            var other = digest
            other[5] ^= 0x10
            #expect(try sig.recoverPublicKey(digest: other) != key.publicPoint)
            #expect(!sig.isValid(for: try key.publicPoint, digest: other))
        }
    }
}
