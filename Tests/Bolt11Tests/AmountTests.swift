import Bolt11
import Testing

@Suite("Human-readable amounts")
struct AmountTests {
    @Test(
        "the shortest exact text is written and read back",
        arguments: [
            (UInt64(1), "10p"), (10, "100p"), (100, "1n"), (1000, "10n"), (100_000, "1u"), (123_456_789, "1234567890p"),
            (250_000_000, "2500u"), (2_000_000_000, "20m"), (100_000_000_000, "1"),
            (2_100_000_000_000_000_000, "21000000"), (UInt64.max, "184467440737095516150p"),
        ])
    func format(msat: UInt64, text: String) throws {
        #expect(try Bolt11Amount.format(msat: msat) == text)
        #expect(try Bolt11Amount.parse(text) == msat)
    }

    @Test("longer spellings of the same amount are read")
    func nonCanonical() throws {
        #expect(try Bolt11Amount.parse("2500000n") == 250_000_000)
        #expect(try Bolt11Amount.parse("1000m") == 100_000_000_000)
        #expect(try Bolt11Amount.parse("1000p") == 100)
    }

    @Test(
        "malformed amounts are rejected",
        arguments: [
            "", "u", "p", "0", "0p", "01u", "00", "15p", "1x", "1.5m", "1mm", "-1", "1 ", "１", "2500U",
            "999999999999999999999n", "1000000000", "184467440737095516160p", "99999999999999999999999999999999999m",
        ])
    func rejects(text: String) {
        let error = #expect(throws: Bolt11Error.self) { try Bolt11Amount.parse(text) }
        #expect(error?.code == .invalidAmount)
    }

    @Test("zero cannot be written")
    func zero() {
        #expect(throws: Bolt11Error.self) { try Bolt11Amount.format(msat: 0) }
    }

    @Test("random amounts survive format and parse")
    func randomRoundTrip() throws {
        var rng = SplitMix64(state: 11)
        for _ in 0..<5000 {
            let msat = UInt64.random(in: 1...UInt64.max, using: &rng) >> UInt64.random(in: 0...63, using: &rng)
            guard msat > 0 else { continue }
            #expect(try Bolt11Amount.parse(Bolt11Amount.format(msat: msat)) == msat)
        }
    }
}
