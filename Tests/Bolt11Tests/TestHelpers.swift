import Bolt11
import CashewEncoding
import Secp256k1

/// A small seeded generator so that fuzz failures can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func randomBytes(_ count: Int) -> [UInt8] {
    var rng = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
}

/// Rewrites an invoice's human-readable part or data words and recomputes a valid checksum, so that the reader gets
/// past Bech32 and has to reject the content itself.
func rewrite(
    _ invoice: String, hrp: String? = nil, variant: Bech32.Variant = .bech32, words transform: ([UInt8]) -> [UInt8] = { $0 }
) throws -> String {
    let decoded = try Bech32.decode(invoice)
    return Bech32.encode(hrp: hrp ?? decoded.hrp, data: transform(decoded.data), variant: variant)
}

/// A signed invoice with a random payment hash and secret, for tests that only need some valid invoice.
func sampleInvoice(
    key: Scalar = .random(), amountMsat: UInt64? = 250_000_000, includesPayee: Bool = false
) throws -> Invoice {
    try Invoice.Builder(
        network: "bc", amountMsat: amountMsat, timestamp: 1_700_000_000, paymentHash: randomBytes(32),
        paymentSecret: randomBytes(32), description: "sample", expiry: 600, minFinalCltvExpiry: 40,
        includesPayee: includesPayee
    ).sign(with: key)
}

/// Signs arbitrary fields, bypassing the builder's writer rules.
func signRaw(_ fields: [TaggedField], key: Scalar, amountMsat: UInt64? = nil, network: String = "bc") throws -> String {
    try UnsignedInvoice(network: network, amountMsat: amountMsat, timestamp: 1_700_000_000, fields: fields).sign(with: key)
}

extension Bolt11Error.Code {
    /// Matches a thrown error against this code in `#expect(throws:)`-style checks.
    func matches(_ error: (any Error)?) -> Bool { (error as? Bolt11Error)?.code == self }
}

/// Bytes as the zero-padded 5-bit words a BOLT11 field holds them in (32 bytes are 52 words, 33 are 53).
func wordsOf(_ bytes: [UInt8]) -> [UInt8] {
    Bech32.convertBits(bytes, from: 8, to: 5, pad: true) ?? []
}
