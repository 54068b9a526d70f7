import CSecp256k1
import CashewEncoding

/// An integer modulo the secp256k1 group order n: a private key, a blinding factor, a DLEQ response.
///
/// Zero is representable (it is an element of the ring); operations that need a non-zero scalar, such as
/// multiplying a point, reject it. The value lives inline (32 bytes, big-endian), never on the heap, and
/// `description` does not reveal it.
public struct Scalar: Sendable, Hashable, CustomStringConvertible {
    /// The 32 big-endian bytes, stored in memory order.
    @usableFromInline var storage: Bytes32

    @inlinable init(storage: Bytes32) { self.storage = storage }

    /// The group order n, big-endian.
    public static let orderBytes: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
        0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41,
    ]

    /// n as four 64-bit limbs, most significant first.
    @usableFromInline static let orderLimbs: (UInt64, UInt64, UInt64, UInt64) = (
        0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFE, 0xBAAE_DCE6_AF48_A03B, 0xBFD2_5E8C_D036_4141
    )

    /// The scalar 0.
    public static let zero = Scalar(storage: (0, 0, 0, 0))
    /// The scalar 1.
    public static let one = Scalar(storage: (0, 0, 0, UInt64(1).bigEndian))

    /// A scalar from exactly 32 big-endian bytes; throws if the value is not below n.
    @inlinable
    public init<Bytes: Collection>(bytes: Bytes) throws where Bytes.Element == UInt8 {
        guard bytes.count == 32 else { throw Secp256k1Error(.invalidScalar, "a scalar is 32 bytes, got \(bytes.count)") }
        var s = Scalar.zero
        withUnsafeMutableBytes(of: &s.storage) { out in
            var i = 0
            for b in bytes { out[i] = b; i += 1 }
        }
        guard !s.isAtLeastOrder else { throw Secp256k1Error(.invalidScalar, "scalar is not below the group order") }
        self = s
    }

    /// A scalar from 32 big-endian bytes reduced modulo n (for hash outputs). Any 32 bytes are accepted.
    @inlinable
    public init<Bytes: Collection>(reducing bytes: Bytes) where Bytes.Element == UInt8 {
        precondition(bytes.count == 32, "reduction takes 32 bytes")
        var s = Scalar.zero
        withUnsafeMutableBytes(of: &s.storage) { out in
            var i = 0
            for b in bytes { out[i] = b; i += 1 }
        }
        // 2^256 < 2n, so one subtraction reduces any 256-bit value.
        if s.isAtLeastOrder { s.subtractOrder() }
        self = s
    }

    /// A scalar from a 64-character hex string; throws if it is not hex or not below n.
    public init(hex: String) throws {
        guard let bytes = Hex.decode(hex), bytes.count == 32 else {
            throw Secp256k1Error(.invalidScalar, "a scalar is 64 hex characters")
        }
        try self.init(bytes: bytes)
    }

    /// A uniformly random non-zero scalar from the operating system's CSPRNG.
    public static func random() -> Scalar {
        while true {
            let s = Scalar(storage: SecureRandom.bytes32())
            if !s.isZero && !s.isAtLeastOrder { return s }
        }
    }

    @inlinable var limbs: (UInt64, UInt64, UInt64, UInt64) {
        (UInt64(bigEndian: storage.0), UInt64(bigEndian: storage.1), UInt64(bigEndian: storage.2), UInt64(bigEndian: storage.3))
    }

    @inlinable var isAtLeastOrder: Bool {
        let l = limbs
        let n = Scalar.orderLimbs
        if l.0 != n.0 { return l.0 > n.0 }
        if l.1 != n.1 { return l.1 > n.1 }
        if l.2 != n.2 { return l.2 > n.2 }
        return l.3 >= n.3
    }

    @inlinable mutating func subtractOrder() {
        let l = limbs
        let n = Scalar.orderLimbs
        let (r3, b3) = l.3.subtractingReportingOverflow(n.3)
        let (t2, b2a) = l.2.subtractingReportingOverflow(n.2)
        let (r2, b2b) = t2.subtractingReportingOverflow(b3 ? 1 : 0)
        let (t1, b1a) = l.1.subtractingReportingOverflow(n.1)
        let (r1, b1b) = t1.subtractingReportingOverflow((b2a || b2b) ? 1 : 0)
        let (t0, _) = l.0.subtractingReportingOverflow(n.0)
        let (r0, _) = t0.subtractingReportingOverflow((b1a || b1b) ? 1 : 0)
        storage = (r0.bigEndian, r1.bigEndian, r2.bigEndian, r3.bigEndian)
    }

    /// True for the scalar 0.
    @inlinable public var isZero: Bool { storage.0 | storage.1 | storage.2 | storage.3 == 0 }

    /// The 32 big-endian bytes. Handle with care: for a private key this is the secret.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Lower-case hex of the 32 bytes. Handle with care: for a private key this is the secret.
    public var hex: String { withUnsafeBytes { Hex.encode($0) } }

    /// Calls `body` with the 32 big-endian bytes, without copying them to the heap.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = storage
        return try Swift.withUnsafeBytes(of: &copy, body)
    }

    @inlinable
    func withUChars<R>(_ body: (UnsafePointer<UInt8>) throws -> R) rethrows -> R {
        var copy = storage
        return try Swift.withUnsafeBytes(of: &copy) { try body($0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
    }

    /// Redacted: a scalar is often a secret.
    public var description: String { "Scalar(<redacted>)" }

    public static func == (a: Scalar, b: Scalar) -> Bool {
        // Constant-time comparison: scalars are often secrets.
        ((a.storage.0 ^ b.storage.0) | (a.storage.1 ^ b.storage.1) | (a.storage.2 ^ b.storage.2) | (a.storage.3 ^ b.storage.3)) == 0
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.0)
        hasher.combine(storage.1)
        hasher.combine(storage.2)
        hasher.combine(storage.3)
    }

    /// a + b mod n.
    @inlinable
    public static func + (a: Scalar, b: Scalar) -> Scalar {
        if a.isZero { return b }
        if b.isZero { return a }
        var out = a.storage
        let ok = Swift.withUnsafeMutableBytes(of: &out) { o in
            b.withUChars { secp256k1_ec_seckey_tweak_add(Context.shared.raw, o.baseAddress!.assumingMemoryBound(to: UInt8.self), $0) }
        }
        // Both operands are valid and non-zero, so the only failure is a zero sum.
        return ok == 1 ? Scalar(storage: out) : .zero
    }

    /// a · b mod n.
    @inlinable
    public static func * (a: Scalar, b: Scalar) -> Scalar {
        if a.isZero || b.isZero { return .zero }
        var out = a.storage
        let ok = Swift.withUnsafeMutableBytes(of: &out) { o in
            b.withUChars { secp256k1_ec_seckey_tweak_mul(Context.shared.raw, o.baseAddress!.assumingMemoryBound(to: UInt8.self), $0) }
        }
        precondition(ok == 1, "product of non-zero scalars modulo a prime is non-zero")
        return Scalar(storage: out)
    }

    /// −a mod n.
    @inlinable
    public static prefix func - (a: Scalar) -> Scalar {
        if a.isZero { return a }
        var out = a.storage
        let ok = Swift.withUnsafeMutableBytes(of: &out) { o in
            secp256k1_ec_seckey_negate(Context.shared.raw, o.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        precondition(ok == 1)
        return Scalar(storage: out)
    }

    /// a − b mod n.
    @inlinable
    public static func - (a: Scalar, b: Scalar) -> Scalar { a + (-b) }

    /// The public point a·G; throws for the zero scalar.
    @inlinable
    public var publicPoint: Point {
        get throws { try Point(generatorMultiple: self) }
    }
}
