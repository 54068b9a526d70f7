import Bolt11
import CashewEncoding
import Secp256k1
import Testing

/// Random damage to valid invoices: every input must either decode or throw ``Bolt11Error``, never trap.
@Suite("Fuzzing the reader")
struct FuzzTests {
    static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l1QPZ".utf8)

    /// Decodes `text`; a decoded result must re-encode to itself.
    func check(_ text: String) {
        do {
            let invoice = try Invoice(parsing: text)
            #expect(invoice.encoded() == invoice.bolt11)
        } catch {
            #expect(error is Bolt11Error, "\(text): \(error)")
        }
    }

    @Test("character-level mutations of valid invoices", arguments: [false, true])
    func characterMutations(includesPayee: Bool) throws {
        var rng = SplitMix64(state: includesPayee ? 1 : 2)
        let base = Array(try sampleInvoice(includesPayee: includesPayee).bolt11.utf8)
        for _ in 0..<2000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes[i] = Self.alphabet.randomElement(using: &rng) ?? 0
                case 1: bytes.remove(at: i)
                case 2: bytes.insert(Self.alphabet.randomElement(using: &rng) ?? 0, at: i)
                default: bytes[i] = UInt8.random(in: 0...255, using: &rng)
                }
                if bytes.isEmpty { break }
            }
            check(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test("word-level mutations with a recomputed checksum reach the field and signature checks")
    func wordMutations() throws {
        var rng = SplitMix64(state: 3)
        let invoice = try sampleInvoice(includesPayee: false)
        let decoded = try Bech32.decode(invoice.bolt11)
        let hrps = ["lnbc", "lntb", "lnbc10p", "lnbc0", "lnbc15p", "lnbcrt1m", decoded.hrp, "ln", "lnbc99999999999999999999999"]
        for _ in 0..<2000 {
            var words = decoded.data
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                guard !words.isEmpty else { break }
                let i = Int.random(in: 0..<words.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: words[i] = UInt8.random(in: 0...31, using: &rng)
                case 1: words.remove(at: i)
                case 2: words.insert(UInt8.random(in: 0...31, using: &rng), at: i)
                default: words.removeLast(Int.random(in: 0...min(words.count, 120), using: &rng))
                }
            }
            let hrp = hrps.randomElement(using: &rng) ?? decoded.hrp
            check(Bech32.encode(hrp: hrp, data: words, variant: .bech32))
        }
    }

    @Test("random strings and random data words")
    func randomInputs() {
        var rng = SplitMix64(state: 4)
        for _ in 0..<1000 {
            let length = Int.random(in: 0..<400, using: &rng)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            check(String(decoding: bytes, as: UTF8.self))
            let words = (0..<length).map { _ in UInt8.random(in: 0...31, using: &rng) }
            check(Bech32.encode(hrp: "lnbc", data: words, variant: .bech32))
        }
    }
}
