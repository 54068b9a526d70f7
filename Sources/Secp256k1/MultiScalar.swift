import CSecp256k1

/// Sums of many points, and sums of points times small scalars, from libsecp256k1's public API alone: point
/// addition (`secp256k1_ec_pubkey_combine`, which adds any number of points in Jacobian coordinates and converts
/// once) is far cheaper than a multiplication, so a multi-scalar sum is built from additions in buckets
/// (Pippenger's method). The auditor uses it to check many relations `C = k·P` at once by a random linear
/// combination.
///
/// Variable-time: for public data only, never with secret scalars.
public enum MultiScalar {
    /// Σ points; nil when there are none or they sum to the point at infinity.
    public static func sum(_ points: [Point]) -> Point? {
        guard !points.isEmpty else { return nil }
        return points.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: secp256k1_pubkey.self) { raw in sum(raw, indices: Array(0..<points.count)) }
        }
    }

    /// Σ z_i·P_i for 64-bit z_i; nil when the sum is the point at infinity (or there are no terms).
    public static func sum(_ scalars: [UInt64], _ points: [Point]) -> Point? {
        precondition(scalars.count == points.count, "one scalar per point")
        let n = points.count
        guard n > 0 else { return nil }
        // Few terms: one multiplication each is cheaper than the buckets' fixed cost.
        if n < 8 {
            var terms = [Point]()
            for (z, p) in zip(scalars, points) where z != 0 {
                if let t = try? p.multiplied(by: Scalar(UInt64: z)) { terms.append(t) }
            }
            return sum(terms)
        }
        // Window of c bits: 64/c rounds of one addition per term, plus c·2^(c-1) additions of bucket sums.
        let c = max(2, min(12, (Int.bitWidth - n.leadingZeroBitCount) - 4))
        let mask = UInt64(1) << UInt64(c) - 1
        let windows = (64 + c - 1) / c
        return points.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: secp256k1_pubkey.self) { raw -> Point? in
                let base = raw.baseAddress!
                var acc: Point?
                var sorted = [UnsafePointer<secp256k1_pubkey>?](repeating: nil, count: n)
                var starts = [Int](repeating: 0, count: Int(mask) + 2)
                var buckets = [secp256k1_pubkey](repeating: secp256k1_pubkey(), count: Int(mask) + 1)
                var filled = [Bool](repeating: false, count: Int(mask) + 1)
                for w in stride(from: windows - 1, through: 0, by: -1) {
                    if let a = acc { acc = try? a.multiplied(by: Scalar(UInt64: UInt64(1) << UInt64(c))) }
                    // Counting sort of the terms by this window's digit, then one sum per digit.
                    for j in 0..<starts.count { starts[j] = 0 }
                    let shift = UInt64(w * c)
                    for z in scalars { starts[Int((z >> shift) & mask) + 1] += 1 }
                    for j in 1..<starts.count { starts[j] += starts[j - 1] }
                    var next = starts
                    for (i, z) in scalars.enumerated() {
                        let d = Int((z >> shift) & mask)
                        sorted[next[d]] = base + i
                        next[d] += 1
                    }
                    sorted.withUnsafeMutableBufferPointer { list in
                        for d in 1...Int(mask) {
                            let count = starts[d + 1] - starts[d]
                            filled[d] = count > 0 && secp256k1_ec_pubkey_combine(Context.shared.raw, &buckets[d], list.baseAddress! + starts[d], count) == 1
                        }
                    }
                    // Σ_d d·S_d = Σ_b 2^b·(Σ of the S_d whose digit d has bit b): c sums, then doublings.
                    var total: Point?
                    buckets.withUnsafeBufferPointer { sums in
                        for b in stride(from: c - 1, through: 0, by: -1) {
                            total = MultiScalar.add(total, total)
                            let indices = (1...Int(mask)).filter { ($0 >> b) & 1 == 1 && filled[$0] }
                            total = MultiScalar.add(total, sum(sums, indices: indices))
                        }
                    }
                    acc = add(acc, total)
                }
                return acc
            }
        }
    }

    /// a + b, with nil as the point at infinity.
    public static func add(_ a: Point?, _ b: Point?) -> Point? {
        guard let a else { return b }
        guard let b else { return a }
        return try? a.adding(b)
    }

    static func sum(_ raw: UnsafeBufferPointer<secp256k1_pubkey>, indices: [Int]) -> Point? {
        guard !indices.isEmpty, let base = raw.baseAddress else { return nil }
        var pointers = indices.map { Optional(base + $0) }
        var out = secp256k1_pubkey()
        let ok = pointers.withUnsafeMutableBufferPointer { p in
            p.withMemoryRebound(to: UnsafePointer<secp256k1_pubkey>?.self) { secp256k1_ec_pubkey_combine(Context.shared.raw, &out, $0.baseAddress!, indices.count) }
        }
        return ok == 1 ? Point(raw: out) : nil
    }
}

extension Scalar {
    /// A scalar below 2^64.
    public init(UInt64 value: UInt64) {
        self.init(storage: (0, 0, 0, value.bigEndian))
    }
}
