import CashewEncoding
import CashuCrypto
import Secp256k1
import TestSupport
import Testing

@Suite("NUT-12 DLEQ vectors")
struct NUT12DLEQVectorTests {
    @Test("hash_e(R1, R2, K, C_)")
    func hashE() throws {
        let v = try #require(try Vectors.cases("nut12", group: "hash_e").first)
        let points = try ["R1", "R2", "K", "C_"].map { try Point(hex: v.string("input", $0)) }
        let e = DLEQ.challenge(points[0], points[1], points[2], points[3])
        #expect(Hex.encode(e) == v.string("expected", "hash"))
    }

    @Test("deterministic nonce reproduces e and s, and verifies")
    func deterministicNonce() throws {
        let v = try #require(try Vectors.cases("nut12", group: "deterministic_nonce").first)
        let a = try Scalar(hex: v.string("input", "a"))
        let bigA = try Point(hex: v.string("input", "A"))
        let b = try Point(hex: v.string("input", "B_"))
        let c = try Point(hex: v.string("input", "C_"))
        #expect(try a.publicPoint == bigA)
        #expect(try BDHKE.sign(b, key: a) == c)
        let proof = try DLEQ.prove(key: a, publicKey: bigA, blindedMessage: b, blindSignature: c)
        #expect(proof.e.hex == v.string("expected", "e"))
        #expect(proof.s.hex == v.string("expected", "s"))
        #expect(DLEQ.verify(proof, publicKey: bigA, blindedMessage: b, blindSignature: c))
        let signed = try DLEQ.sign(b, key: a, publicKey: bigA)
        #expect(signed.signature == c && signed.proof == proof)
    }

    @Test("valid DLEQ on a BlindSignature")
    func onBlindSignature() throws {
        let v = try #require(try Vectors.cases("nut12", group: "dleq_blind_signature").first)
        let bigA = try Point(hex: v.string("input", "A"))
        let b = try Point(hex: v.string("input", "B_"))
        let sig = v.at("input", "blind_signature")
        let c = try Point(hex: sig.string("C_"))
        let proof = DLEQProof(e: try Scalar(hex: sig.string("dleq", "e")), s: try Scalar(hex: sig.string("dleq", "s")))
        #expect(DLEQ.verify(proof, publicKey: bigA, blindedMessage: b, blindSignature: c))
        // Any change to the proof or the points breaks it.
        #expect(!DLEQ.verify(DLEQProof(e: proof.e + .one, s: proof.s), publicKey: bigA, blindedMessage: b, blindSignature: c))
        #expect(!DLEQ.verify(DLEQProof(e: proof.e, s: proof.s + .one), publicKey: bigA, blindedMessage: b, blindSignature: c))
        #expect(!DLEQ.verify(proof, publicKey: bigA.negated(), blindedMessage: b, blindSignature: c))
    }

    @Test("valid DLEQ on a Proof (Carol's check with r)")
    func onProof() throws {
        let v = try #require(try Vectors.cases("nut12", group: "dleq_proof").first)
        let bigA = try Point(hex: v.string("input", "A"))
        let p = v.at("input", "proof")
        let proof = DLEQProof(e: try Scalar(hex: p.string("dleq", "e")), s: try Scalar(hex: p.string("dleq", "s")))
        let r = try Scalar(hex: p.string("dleq", "r"))
        let c = try Point(hex: p.string("C"))
        #expect(DLEQ.verify(proof, blindingFactor: r, secret: p.string("secret"), signature: c, publicKey: bigA))
        #expect(!DLEQ.verify(proof, blindingFactor: r + .one, secret: p.string("secret"), signature: c, publicKey: bigA))
        #expect(!DLEQ.verify(proof, blindingFactor: r, secret: p.string("secret") + "0", signature: c, publicKey: bigA))
    }
}
