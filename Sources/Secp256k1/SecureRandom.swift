/// Cryptographically secure random bytes from the operating system (getrandom(2) on Linux).
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        var out = [UInt8](repeating: 0, count: count)
        var i = 0
        while i < count {
            let word = rng.next()
            withUnsafeBytes(of: word) { w in
                for b in w where i < count {
                    out[i] = b
                    i += 1
                }
            }
        }
        return out
    }

    /// 32 random bytes without a heap allocation.
    @usableFromInline
    static func bytes32() -> Bytes32 {
        var rng = SystemRandomNumberGenerator()
        return Bytes32(rng.next(), rng.next(), rng.next(), rng.next())
    }
}

/// 32 bytes stored inline (no heap), in memory order.
@usableFromInline
typealias Bytes32 = (UInt64, UInt64, UInt64, UInt64)
