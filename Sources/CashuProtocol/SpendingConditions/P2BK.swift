import Crypto
import Secp256k1

/// NUT-28 pay-to-blinded-key: each public key of a P2PK or HTLC lock is blinded with a scalar that only the sender
/// (ephemeral key `e`) and the key's owner (private key `p`) can derive, so the mint never sees the receiver's key.
///
/// Slots are numbered in the order `[data, ...pubkeys, ...refund]` (0 to 10); an HTLC's slot 0 holds the hash lock,
/// which is not blinded, so its keys start at slot 1.
public enum P2BK {
    static let domainSeparator = Array("Cashu_P2BK_v1".utf8)
    /// The most key slots a lock can have (`data` plus ten).
    public static let maxSlots = 11

    /// `Zx = x(k·P)`: the ECDH shared secret (sender: `e` and the receiver's `P`; receiver: `p` and `E`).
    public static func sharedSecret(_ point: Point, _ scalar: Scalar) throws -> [UInt8] {
        try point.multiplied(by: scalar).xOnly
    }

    /// `rᵢ = SHA-256("Cashu_P2BK_v1" ‖ Zx ‖ i)`, retried once with a trailing `0xff` when it is not in [1, n−1].
    public static func blindingScalar(sharedSecret zx: [UInt8], slot: Int) throws -> Scalar {
        guard (0..<maxSlots).contains(slot) else { throw SpendingConditionError(.malformedSecret, "P2BK slot \(slot) is out of range") }
        for suffix in [[], [UInt8(0xff)]] {
            let digest = Array(SHA256.hash(data: domainSeparator + zx + [UInt8(slot)] + suffix))
            if let r = try? Scalar(bytes: digest), !r.isZero { return r }
        }
        throw SpendingConditionError(.malformedSecret, "P2BK blinding scalar out of range: discard the ephemeral key")
    }

    /// `P' = P + rᵢ·G` for the receiver key `key` in `slot`, blinded with the sender's ephemeral key `e`.
    public static func blind(_ key: Point, ephemeral e: Scalar, slot: Int) throws -> Point {
        let r = try blindingScalar(sharedSecret: try sharedSecret(key, e), slot: slot)
        return try key.addingGeneratorMultiple(r)
    }

    /// The private key that signs for the blinded key `blinded` in `slot`, when `p` is the key it was blinded from:
    /// `p + rᵢ` if `P' − rᵢ·G` has the parity of `p·G`, `−p + rᵢ` if it has the other parity (the sender used the
    /// even-Y lift of an x-only key); nil when `blinded` was not made from `p`'s key.
    public static func signingKey(for blinded: Point, slot: Int, privateKey p: Scalar, ephemeral E: Point) throws -> Scalar? {
        let r = try blindingScalar(sharedSecret: try sharedSecret(E, p), slot: slot)
        guard let unblinded = try? blinded.subtracting(try Point(generatorMultiple: r)) else { return nil }
        let natural = try p.publicPoint
        guard unblinded.xOnly == natural.xOnly else { return nil }
        return unblinded.hasEvenY == natural.hasEvenY ? p + r : -p + r
    }
}
