import CashewEncoding
import CashuCrypto
import Secp256k1
import Testing

@Suite("BDHKE and DLEQ properties")
struct BDHKEPropertyTests {
    static func randomSecret() -> String {
        switch Int.random(in: 0..<3) {
        case 0: return Hex.encode(SecureRandom.bytes(32))
        case 1: return String((0..<Int.random(in: 0..<50)).map { _ in "aZ09 -é€😀[]{}\"\\".randomElement()! })
        default: return WellKnownSecretLike.make()
        }
    }

    enum WellKnownSecretLike {
        static func make() -> String { #"["P2PK",{"nonce":"\#(Hex.encode(SecureRandom.bytes(8)))","data":"02aa","tags":[]}]"# }
    }

    @Test("blind, sign, unblind, verify round-trips for random secrets, factors and keys")
    func roundTrip() throws {
        for _ in 0..<100 {
            let secret = Self.randomSecret()
            let r = Scalar.random(), k = Scalar.random()
            let bigK = try k.publicPoint
            let b = try BDHKE.blind(secret: secret, r: r)
            let c = try BDHKE.sign(b, key: k)
            let unblinded = try BDHKE.unblind(c, r: r, mintKey: bigK)
            #expect(unblinded == (try HashToCurve.point(forSecret: secret).multiplied(by: k)))
            #expect(BDHKE.verify(secret: secret, signature: unblinded, key: k))
            #expect(!BDHKE.verify(secret: secret + "x", signature: unblinded, key: k))
            #expect(!BDHKE.verify(secret: secret, signature: unblinded, key: Scalar.random()))
            #expect(!BDHKE.verify(secret: secret, signature: c, key: k))
        }
    }

    @Test("the signer's DLEQ check (with the private key) gives the same verdict as the public one, valid or tampered")
    func signerCheckAgrees() throws {
        for _ in 0..<200 {
            let a = Scalar.random()
            let A = try a.publicPoint
            let B = try Scalar.random().publicPoint
            let (C, proof) = try DLEQ.sign(B, key: a, publicKey: A)
            let other = try Scalar.random().publicPoint
            let cases: [(DLEQProof, Point, Point)] = [
                (proof, B, C), (DLEQProof(e: proof.e + Scalar.random(), s: proof.s), B, C), (DLEQProof(e: proof.e, s: proof.s + Scalar.random()), B, C),
                (proof, other, C), (proof, B, other), (DLEQProof(e: proof.s, s: proof.e), B, C),
            ]
            for (i, (p, b, c)) in cases.enumerated() {
                let publicCheck = DLEQ.verify(p, publicKey: A, blindedMessage: b, blindSignature: c)
                let signerCheck = DLEQ.verify(p, privateKey: a, publicKey: A, blindedMessage: b, blindSignature: c)
                #expect(publicCheck == signerCheck, "case \(i)")
                #expect(publicCheck == (i == 0), "case \(i)")
            }
        }
    }

    @Test("DLEQ proofs verify, and fail when any field changes")
    func dleq() throws {
        for _ in 0..<50 {
            let a = Scalar.random(), r = Scalar.random()
            let bigA = try a.publicPoint
            let secret = Self.randomSecret()
            let b = try BDHKE.blind(secret: secret, r: r)
            let (c, proof) = try DLEQ.sign(b, key: a, publicKey: bigA)
            #expect(DLEQ.verify(proof, publicKey: bigA, blindedMessage: b, blindSignature: c))
            // Deterministic nonce: the same inputs give the same proof.
            #expect(try DLEQ.prove(key: a, publicKey: bigA, blindedMessage: b, blindSignature: c) == proof)
            let other = try Scalar.random().publicPoint
            #expect(!DLEQ.verify(DLEQProof(e: proof.e + .one, s: proof.s), publicKey: bigA, blindedMessage: b, blindSignature: c))
            #expect(!DLEQ.verify(DLEQProof(e: proof.e, s: proof.s + .one), publicKey: bigA, blindedMessage: b, blindSignature: c))
            #expect(!DLEQ.verify(DLEQProof(e: proof.s, s: proof.e), publicKey: bigA, blindedMessage: b, blindSignature: c))
            #expect(!DLEQ.verify(proof, publicKey: other, blindedMessage: b, blindSignature: c))
            #expect(!DLEQ.verify(proof, publicKey: bigA, blindedMessage: other, blindSignature: c))
            #expect(!DLEQ.verify(proof, publicKey: bigA, blindedMessage: b, blindSignature: other))
            #expect(!DLEQ.verify(DLEQProof(e: .zero, s: proof.s), publicKey: bigA, blindedMessage: b, blindSignature: c))
            // Carol's check with r; a wrong r, secret or C fails.
            let unblinded = try BDHKE.unblind(c, r: r, mintKey: bigA)
            #expect(DLEQ.verify(proof, blindingFactor: r, secret: secret, signature: unblinded, publicKey: bigA))
            #expect(!DLEQ.verify(proof, blindingFactor: Scalar.random(), secret: secret, signature: unblinded, publicKey: bigA))
            #expect(!DLEQ.verify(proof, blindingFactor: r, secret: secret + "!", signature: unblinded, publicKey: bigA))
            #expect(!DLEQ.verify(proof, blindingFactor: r, secret: secret, signature: other, publicKey: bigA))
            // A signature by another key has no valid proof for A.
            let forged = try b.multiplied(by: Scalar.random())
            #expect(!DLEQ.verify(proof, publicKey: bigA, blindedMessage: b, blindSignature: forged))
        }
    }
}
