import CashewEncoding
import Crypto
import FoundationEssentials
import Secp256k1

/// A NUT-12 discrete-log-equality proof `(e, s)` that the same private key `a` links `A = a·G` and `C_ = a·B_`.
public struct DLEQProof: Sendable, Hashable {
    /// The challenge.
    public var e: Scalar
    /// The response.
    public var s: Scalar

    public init(e: Scalar, s: Scalar) {
        self.e = e
        self.s = s
    }
}

/// NUT-12 DLEQ proofs: the mint proves, the wallet (Alice, or Carol with `r`) verifies.
public enum DLEQ {
    /// The domain tag of the deterministic nonce.
    public static let nonceTag: [UInt8] = Array("Cashu_DLEQ_R_v1".utf8)

    /// `hash(R1, R2, A, C_)`: SHA-256 over the concatenated uncompressed hex strings of the four points.
    @inlinable
    public static func challenge(_ r1: Point, _ r2: Point, _ a: Point, _ c: Point) -> [UInt8] {
        a.withUncompressedBytes { a65 in
            c.withUncompressedBytes { c65 in challenge(r1, r2, a65: a65, c65: c65) }
        }
    }

    @inlinable
    static func challenge(_ r1: Point, _ r2: Point, a65: UnsafeRawBufferPointer, c65: UnsafeRawBufferPointer) -> [UInt8] {
        withUnsafeTemporaryAllocation(byteCount: 4 * 130, alignment: 1) { text in
            r1.withUncompressedBytes { Hex.encode($0, into: UnsafeMutableRawBufferPointer(rebasing: text[0..<130])) }
            r2.withUncompressedBytes { Hex.encode($0, into: UnsafeMutableRawBufferPointer(rebasing: text[130..<260])) }
            Hex.encode(a65, into: UnsafeMutableRawBufferPointer(rebasing: text[260..<390]))
            Hex.encode(c65, into: UnsafeMutableRawBufferPointer(rebasing: text[390..<520]))
            return Array(SHA256.hash(data: UnsafeRawBufferPointer(text)))
        }
    }

    /// The deterministic nonce: `HMAC-SHA256(a, "Cashu_DLEQ_R_v1" ‖ A ‖ B_ ‖ C_ ‖ ctr)` over uncompressed points,
    /// with the one-byte counter raised until the result is a valid non-zero scalar.
    @inlinable
    static func nonce(key a: Scalar, a65: UnsafeRawBufferPointer, b65: UnsafeRawBufferPointer, c65: UnsafeRawBufferPointer) -> Scalar {
        let key = a.withUnsafeBytes { SymmetricKey(data: $0) }
        for ctr in 0...255 {
            var mac = HMAC<SHA256>(key: key)
            mac.update(data: nonceTag)
            mac.update(data: a65)
            mac.update(data: b65)
            mac.update(data: c65)
            mac.update(data: [UInt8(ctr)])
            let code = mac.finalize()
            if let r = code.withUnsafeBytes({ try? Scalar(bytes: $0) }), !r.isZero { return r }
        }
        // 256 consecutive HMAC outputs at or above n: probability about 2^-32768.
        fatalError("DLEQ nonce derivation exhausted its counter")
    }

    /// Proves that `C_ = a·B_` for the key with public point `A = a·G`, with the deterministic nonce.
    @inlinable
    public static func prove(key a: Scalar, publicKey A: Point, blindedMessage B: Point, blindSignature C: Point) throws -> DLEQProof {
        try A.withUncompressedBytes { a65 throws in
            try B.withUncompressedBytes { b65 throws in
                try C.withUncompressedBytes { c65 throws in
                    let r = nonce(key: a, a65: a65, b65: b65, c65: c65)
                    let r1 = try Point(generatorMultiple: r)
                    let r2 = try B.multiplied(by: r)
                    let e = Scalar(reducing: challenge(r1, r2, a65: a65, c65: c65))
                    return DLEQProof(e: e, s: r + e * a)
                }
            }
        }
    }

    /// The mint's signing step with its proof: `C_ = a·B_` and the DLEQ on it.
    @inlinable
    public static func sign(_ B: Point, key a: Scalar, publicKey A: Point) throws -> (signature: Point, proof: DLEQProof) {
        let c = try B.multiplied(by: a)
        return (c, try prove(key: a, publicKey: A, blindedMessage: B, blindSignature: c))
    }

    /// Alice's check of a blind signature: `R1 = s·G − e·A`, `R2 = s·B_ − e·C_`, `e == hash(R1, R2, A, C_)`.
    @inlinable
    public static func verify(_ proof: DLEQProof, publicKey A: Point, blindedMessage B: Point, blindSignature C: Point) -> Bool {
        guard !proof.e.isZero, !proof.s.isZero else { return false }
        let minusE = -proof.e
        guard let r1 = try? A.multiplied(by: minusE).addingGeneratorMultiple(proof.s),
              let sB = try? B.multiplied(by: proof.s),
              let r2 = try? sB.adding(C.multiplied(by: minusE))
        else { return false }
        let e = challenge(r1, r2, A, C)
        return e.withUnsafeBytes { ebytes in proof.e.withUnsafeBytes { $0.elementsEqual(ebytes) } }
    }

    /// The same check by the signer, who knows the private key `a` (the auditor with the seed): with
    /// `C_ == a·B_` confirmed, `R1 = (s − e·a)·G` and `R2 = (s − e·a)·B_`, which saves one of the three
    /// variable-base multiplications. Agrees with `verify(_:publicKey:blindedMessage:blindSignature:)` whenever `A = a·G`.
    ///
    /// `assumingSigned`: the caller checks `C_ == a·B_` itself (the auditor, for many signatures at once); the proof
    /// is then checked only on that condition.
    public static func verify(
        _ proof: DLEQProof, privateKey a: Scalar, publicKey A: Point, blindedMessage B: Point, blindSignature C: Point, assumingSigned: Bool = false
    ) -> Bool {
        guard !proof.e.isZero, !proof.s.isZero, assumingSigned || (try? B.multiplied(by: a)) == C else { return false }
        let t = proof.s - proof.e * a
        guard !t.isZero, let r1 = try? t.publicPoint, let r2 = try? B.multiplied(by: t) else { return false }
        let e = challenge(r1, r2, A, C)
        return e.withUnsafeBytes { ebytes in proof.e.withUnsafeBytes { $0.elementsEqual(ebytes) } }
    }

    /// Carol's check of a proof carrying `r`: `B_ = hash_to_curve(secret) + r·G`, `C_ = C + r·A`, then `verify`.
    @inlinable
    public static func verify(_ proof: DLEQProof, blindingFactor r: Scalar, secret: String, signature C: Point, publicKey A: Point) -> Bool {
        guard let y = try? HashToCurve.point(forSecret: secret),
              let b = try? y.addingGeneratorMultiple(r),
              let c = try? C.adding(A.multiplied(by: r))
        else { return false }
        return verify(proof, publicKey: A, blindedMessage: b, blindSignature: c)
    }
}
