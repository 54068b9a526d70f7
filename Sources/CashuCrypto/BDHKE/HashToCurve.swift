import Crypto
import FoundationEssentials
import Secp256k1

/// NUT-00 `hash_to_curve`: maps a message to a curve point with no known discrete logarithm.
///
/// `Y = PublicKey(02 ‖ SHA256(SHA256(DOMAIN ‖ x) ‖ counter))` with `counter` a little-endian uint32 counted up from 0
/// until the bytes are a valid point.
public enum HashToCurve {
    /// `b"Secp256k1_HashToCurve_Cashu_"`.
    public static let domainSeparator: [UInt8] = Array("Secp256k1_HashToCurve_Cashu_".utf8)

    /// The counter bound. Each candidate is a point with probability about 1/2, so 2^16 tries fail with probability
    /// 2^-65536; the bound only turns an impossible endless loop into an error, as the reference mint does.
    public static let maxIterations: UInt32 = 1 << 16

    /// The point for a proof secret (its UTF-8 bytes).
    @inlinable
    public static func point(forSecret secret: String) throws -> Point {
        var secret = secret
        return try secret.withUTF8 { utf8 throws in try point(forMessage: UnsafeRawBufferPointer(utf8)) }
    }

    /// The point for arbitrary message bytes.
    @inlinable
    public static func point<Bytes: Collection>(for message: Bytes) throws -> Point where Bytes.Element == UInt8 {
        let copy = Array(message)
        return try copy.withUnsafeBytes { buf throws in try point(forMessage: buf) }
    }

    /// The point for message bytes in a buffer.
    @inlinable
    public static func point(forMessage message: UnsafeRawBufferPointer) throws -> Point {
        var outer = SHA256()
        outer.update(data: domainSeparator)
        outer.update(bufferPointer: message)
        let msgHash = outer.finalize()
        var candidate: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)  // 40 bytes; we use 33
        var counter: UInt32 = 0
        while counter < maxIterations {
            var inner = SHA256()
            msgHash.withUnsafeBytes { inner.update(bufferPointer: $0) }
            var le = counter.littleEndian
            withUnsafeBytes(of: &le) { inner.update(bufferPointer: $0) }
            let digest = inner.finalize()
            let point: Point? = withUnsafeMutableBytes(of: &candidate) { buf in
                buf[0] = 0x02
                digest.withUnsafeBytes { d in
                    for i in 0..<32 { buf[1 + i] = d[i] }
                }
                return Point.parseCompressed(UnsafeRawBufferPointer(rebasing: buf[0..<33]))
            }
            if let point { return point }
            counter += 1
        }
        throw Secp256k1Error(.invalidPoint, "hash_to_curve found no point in \(maxIterations) iterations")
    }
}
