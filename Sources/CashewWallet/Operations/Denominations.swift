import CashuCrypto

/// How the wallet splits amounts it keeps (minted, received, change).
enum Denominations {
    /// Up to `target` proofs of each power of two (counting those already held), smallest first, then the rest in
    /// the fewest proofs. Keeping small denominations at hand lets most sends be made offline from exact proofs,
    /// without a swap (and its input fee); the extra outputs cost the mint nothing.
    static func keepSplit(_ amount: Amount, holding: [Amount], target: Int = 3) -> [Amount] {
        var counts = [UInt64: Int]()
        for a in holding { counts[a.rawValue, default: 0] += 1 }
        var remaining = amount.rawValue
        var out = [Amount]()
        var d: UInt64 = 1
        while d <= remaining {
            var n = counts[d, default: 0]
            while n < target, remaining >= d {
                out.append(Amount(d))
                remaining -= d
                n += 1
            }
            guard d <= UInt64.max / 2 else { break }
            d <<= 1
        }
        return (out + Amount(remaining).powersOfTwo).sorted()
    }
}
