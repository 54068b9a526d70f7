import CSecp256k1
import CashewEncoding

/// A point on secp256k1 other than the point at infinity: a public key, a blinded message, a signature.
///
/// Parsing accepts SEC1 compressed (33 bytes, `02`/`03`) and uncompressed (65 bytes, `04`) encodings and nothing
/// else (no hybrid `06`/`07`). Results that would be the point at infinity throw `pointAtInfinity`.
public struct Point: Sendable, Hashable, CustomStringConvertible {
    @usableFromInline var raw: secp256k1_pubkey

    @inlinable init(raw: secp256k1_pubkey) { self.raw = raw }

    /// Parses a compressed or uncompressed SEC1 encoding.
    @inlinable
    public init<Bytes: Collection>(_ bytes: Bytes) throws where Bytes.Element == UInt8 {
        let count = bytes.count
        guard let first = bytes.first, (count == 33 && (first == 2 || first == 3)) || (count == 65 && first == 4) else {
            throw Secp256k1Error(.invalidPoint, "a point is 33 bytes (02/03) or 65 bytes (04)")
        }
        var pubkey = secp256k1_pubkey()
        let ok: Int32
        if let r = bytes.withContiguousStorageIfAvailable({ secp256k1_ec_pubkey_parse(Context.shared.raw, &pubkey, $0.baseAddress!, count) }) {
            ok = r
        } else {
            let copy = Array(bytes)
            ok = secp256k1_ec_pubkey_parse(Context.shared.raw, &pubkey, copy, count)
        }
        guard ok == 1 else { throw Secp256k1Error(.invalidPoint, "bytes are not a point on secp256k1") }
        raw = pubkey
    }

    /// Parses a 33-byte compressed encoding without throwing: nil when the bytes are not a point. For hot loops
    /// such as hash_to_curve, where about half of all candidates fail and an error would cost an allocation.
    @inlinable
    public static func parseCompressed(_ bytes: UnsafeRawBufferPointer) -> Point? {
        guard bytes.count == 33, bytes[0] == 2 || bytes[0] == 3 else { return nil }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(Context.shared.raw, &pubkey, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), 33) == 1 else {
            return nil
        }
        return Point(raw: pubkey)
    }

    /// Parses exactly a 33-byte compressed encoding (as Cashu requires for keys, `B_`, `C_` and `C`).
    @inlinable
    public init<Bytes: Collection>(compressed bytes: Bytes) throws where Bytes.Element == UInt8 {
        guard bytes.count == 33 else { throw Secp256k1Error(.invalidPoint, "a compressed point is 33 bytes, got \(bytes.count)") }
        try self.init(bytes)
    }

    /// Parses the hex of a compressed point (66 hex characters).
    @inlinable
    public init(hex: some StringProtocol) throws {
        let parsed = hex.utf8.withContiguousStorageIfAvailable { Point.parseCompressedHex(UnsafeRawBufferPointer($0)) }
            ?? { var copy = String(hex); return copy.withUTF8 { Point.parseCompressedHex(UnsafeRawBufferPointer($0)) } }()
        guard let parsed else { throw Secp256k1Error(.invalidPoint, "not the hex of a compressed secp256k1 point") }
        raw = parsed
    }

    @inlinable
    static func parseCompressedHex(_ utf8: UnsafeRawBufferPointer) -> secp256k1_pubkey? {
        guard utf8.count == 66 else { return nil }
        return withUnsafeTemporaryAllocation(byteCount: 33, alignment: 1) { buf -> secp256k1_pubkey? in
            guard Hex.decode(utf8: utf8, into: buf), buf[0] == 2 || buf[0] == 3 else { return nil }
            var pubkey = secp256k1_pubkey()
            guard secp256k1_ec_pubkey_parse(Context.shared.raw, &pubkey, buf.baseAddress!.assumingMemoryBound(to: UInt8.self), 33) == 1 else {
                return nil
            }
            return pubkey
        }
    }

    /// k·G for a non-zero scalar k.
    @inlinable
    public init(generatorMultiple k: Scalar) throws {
        var pubkey = secp256k1_pubkey()
        let ok = k.withUChars { secp256k1_ec_pubkey_create(Context.shared.raw, &pubkey, $0) }
        guard ok == 1 else { throw Secp256k1Error(.invalidScalar, "k·G needs a non-zero scalar below n") }
        raw = pubkey
    }

    /// The generator G.
    public static let generator: Point = try! Point(generatorMultiple: .one)

    /// Calls `body` with the 33-byte compressed encoding, kept on the stack.
    @inlinable
    public func withCompressedBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withSerialization(length: 33, flags: UInt32(SECP256K1_EC_COMPRESSED), body)
    }

    /// Calls `body` with the 65-byte uncompressed encoding, kept on the stack.
    @inlinable
    public func withUncompressedBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withSerialization(length: 65, flags: UInt32(SECP256K1_EC_UNCOMPRESSED), body)
    }

    @inlinable
    func withSerialization<R>(length: Int, flags: UInt32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(byteCount: length, alignment: 1) { buf in
            var len = length
            var key = raw
            _ = secp256k1_ec_pubkey_serialize(Context.shared.raw, buf.baseAddress!.assumingMemoryBound(to: UInt8.self), &len, &key, flags)
            return try body(UnsafeRawBufferPointer(buf))
        }
    }

    /// The 33-byte compressed SEC1 encoding.
    public var compressed: [UInt8] { withCompressedBytes { Array($0) } }

    /// The 65-byte uncompressed SEC1 encoding.
    public var uncompressed: [UInt8] { withUncompressedBytes { Array($0) } }

    /// Lower-case hex of the compressed encoding (66 characters), as Cashu writes points.
    public var hex: String { withCompressedBytes { Hex.encode($0) } }

    /// The 32-byte x coordinate (the BIP-340 x-only key).
    public var xOnly: [UInt8] { withCompressedBytes { Array($0[1...]) } }

    /// True when the y coordinate is even (compressed prefix `02`).
    public var hasEvenY: Bool { withCompressedBytes { $0[0] == 2 } }

    public var description: String { hex }

    /// k·P for a non-zero scalar k.
    @inlinable
    public func multiplied(by k: Scalar) throws -> Point {
        var out = raw
        let ok = k.withUChars { secp256k1_ec_pubkey_tweak_mul(Context.shared.raw, &out, $0) }
        guard ok == 1 else { throw Secp256k1Error(.invalidScalar, "k·P needs a non-zero scalar below n") }
        return Point(raw: out)
    }

    /// P + k·G in one step (one multi-scalar multiplication). k may be zero.
    @inlinable
    public func addingGeneratorMultiple(_ k: Scalar) throws -> Point {
        if k.isZero { return self }
        var out = raw
        let ok = k.withUChars { secp256k1_ec_pubkey_tweak_add(Context.shared.raw, &out, $0) }
        guard ok == 1 else { throw Secp256k1Error(.pointAtInfinity, "P + k·G is the point at infinity") }
        return Point(raw: out)
    }

    /// P + Q.
    @inlinable
    public func adding(_ other: Point) throws -> Point {
        var out = secp256k1_pubkey()
        var a = raw
        var b = other.raw
        let ok = withUnsafePointer(to: &a) { pa in
            withUnsafePointer(to: &b) { pb in
                var list: (UnsafePointer<secp256k1_pubkey>?, UnsafePointer<secp256k1_pubkey>?) = (pa, pb)
                return withUnsafePointer(to: &list) {
                    $0.withMemoryRebound(to: UnsafePointer<secp256k1_pubkey>?.self, capacity: 2) {
                        secp256k1_ec_pubkey_combine(Context.shared.raw, &out, $0, 2)
                    }
                }
            }
        }
        guard ok == 1 else { throw Secp256k1Error(.pointAtInfinity, "P + Q is the point at infinity") }
        return Point(raw: out)
    }

    /// −P.
    @inlinable
    public func negated() -> Point {
        var out = raw
        _ = secp256k1_ec_pubkey_negate(Context.shared.raw, &out)
        return Point(raw: out)
    }

    /// P − Q.
    @inlinable
    public func subtracting(_ other: Point) throws -> Point {
        try adding(other.negated())
    }

    public static func == (a: Point, b: Point) -> Bool {
        var x = a.raw
        var y = b.raw
        return secp256k1_ec_pubkey_cmp(Context.shared.raw, &x, &y) == 0
    }

    public func hash(into hasher: inout Hasher) {
        withCompressedBytes { hasher.combine(bytes: $0) }
    }
}
