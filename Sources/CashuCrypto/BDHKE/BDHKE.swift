import Secp256k1

/// NUT-00 blind Diffie-Hellman key exchange.
///
/// The wallet blinds `Y = hash_to_curve(x)` as `B_ = Y + r·G`; the mint signs `C_ = k·B_`; the wallet unblinds
/// `C = C_ − r·K`; the mint later verifies `k·hash_to_curve(x) == C`.
public enum BDHKE {
    /// The wallet's blinded message for a secret and a blinding factor: `B_ = hash_to_curve(secret) + r·G`.
    @inlinable
    public static func blind(secret: String, r: Scalar) throws -> Point {
        try HashToCurve.point(forSecret: secret).addingGeneratorMultiple(r)
    }

    /// The wallet's blinded message for raw secret bytes.
    @inlinable
    public static func blind<Bytes: Collection>(message: Bytes, r: Scalar) throws -> Point where Bytes.Element == UInt8 {
        try HashToCurve.point(for: message).addingGeneratorMultiple(r)
    }

    /// The mint's blind signature: `C_ = k·B_`.
    @inlinable
    public static func sign(_ blindedMessage: Point, key k: Scalar) throws -> Point {
        try blindedMessage.multiplied(by: k)
    }

    /// The wallet's unblinding: `C = C_ − r·K`.
    @inlinable
    public static func unblind(_ blindSignature: Point, r: Scalar, mintKey K: Point) throws -> Point {
        try blindSignature.adding(K.multiplied(by: -r))
    }

    /// The mint's check of a proof: `k·hash_to_curve(secret) == C`.
    @inlinable
    public static func verify(secret: String, signature C: Point, key k: Scalar) -> Bool {
        guard let y = try? HashToCurve.point(forSecret: secret), let expected = try? y.multiplied(by: k) else { return false }
        return expected == C
    }
}
