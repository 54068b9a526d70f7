import Bolt11
import CashewEncoding
import Crypto
import FoundationEssentials
import Secp256k1
import Testing

@Suite("Signing, decoding and re-encoding")
struct RoundTripTests {
    static let amounts: [UInt64?] = [
        nil, 1, 10, 100, 1000, 123_456_789, 250_000_000, 100_000_000_000, 2_100_000_000_000_000_000, UInt64.max,
    ]

    @Test("every field survives sign → decode → encode", arguments: amounts, [false, true])
    func roundTrip(amountMsat: UInt64?, includesPayee: Bool) throws {
        for useHash in [false, true] {
            let key = Scalar.random()
            let description = "☕ coffee for \(amountMsat.map(String.init) ?? "any amount")"
            let builder = Invoice.Builder(
                network: useHash ? "tb" : "bc", amountMsat: amountMsat, timestamp: 1_700_000_000 + UInt64(useHash ? 1 : 0),
                paymentHash: randomBytes(32), paymentSecret: randomBytes(32),
                description: useHash ? nil : description,
                descriptionHash: useHash ? Array(SHA256.hash(data: Array(description.utf8))) : nil,
                expiry: 86_400, minFinalCltvExpiry: 144, includesPayee: includesPayee,
                features: FeatureBits.words(setting: [8, 14, 17]))
            let invoice = try builder.sign(with: key)

            #expect(invoice.network == builder.network)
            #expect(invoice.amountMsat == amountMsat)
            #expect(invoice.timestamp == builder.timestamp)
            #expect(invoice.paymentHash == builder.paymentHash)
            #expect(invoice.paymentHashHex == Hex.encode(builder.paymentHash))
            #expect(invoice.paymentSecret == builder.paymentSecret)
            #expect(invoice.description == builder.description)
            #expect(invoice.descriptionHash == builder.descriptionHash)
            #expect(invoice.expiry == 86_400)
            #expect(invoice.minFinalCltvExpiry == 144)
            #expect(invoice.features == builder.features)
            #expect(invoice.hasFeature(8) && invoice.hasFeature(14) && invoice.hasFeature(17) && !invoice.hasFeature(9))
            #expect(invoice.hasPayeeField == includesPayee)
            #expect(invoice.payee == (try key.publicPoint))
            #expect(invoice.ignoredFields.isEmpty)
            if useHash { #expect(invoice.descriptionHashMatches(description)) }

            // Re-encoding and re-reading (in either case, with a URI prefix) give back the same invoice.
            #expect(invoice.encoded() == invoice.bolt11)
            #expect(try Invoice(parsing: invoice.bolt11) == invoice)
            #expect(try Invoice(parsing: invoice.bolt11.uppercased()) == invoice)
            #expect(try Invoice(parsing: "lightning:" + invoice.bolt11) == invoice)
            #expect(try Invoice(parsing: "LIGHTNING:" + invoice.bolt11.uppercased()) == invoice)
            #expect(try Invoice.decode(invoice.bolt11) == invoice)
        }
    }

    @Test("defaults apply when optional fields are left out")
    func minimal() throws {
        let key = Scalar.random()
        let hash = randomBytes(32)
        let invoice = try Invoice.Builder(network: "bcrt", timestamp: 0, paymentHash: hash, description: "").sign(with: key)
        #expect(invoice.network == "bcrt")
        #expect(invoice.bolt11.hasPrefix("lnbcrt1"))
        #expect(invoice.amountMsat == nil)
        #expect(invoice.timestamp == 0)
        #expect(invoice.description == "")
        #expect(invoice.paymentSecret == nil)
        #expect(invoice.expiry == 3600)
        #expect(invoice.minFinalCltvExpiry == 18)
        #expect(invoice.features == nil && invoice.metadata == nil)
        #expect(invoice.fallbacks.isEmpty && invoice.routeHints.isEmpty)
        #expect(invoice.fields.map(\.tag) == [.paymentHash, .description])
        #expect(invoice.expiresAt == 3600)
        #expect(!invoice.isExpired(now: 3599))
        #expect(invoice.isExpired(now: 3600))
        #expect(invoice.isExpired())
    }

    @Test("signet, the largest timestamp, zero and huge integers, metadata, fallbacks and route hints")
    func extremes() throws {
        let key = Scalar.random()
        let fallback = try FallbackAddress(version: 0, program: randomBytes(20))
        let p2sh = try FallbackAddress(version: 18, program: randomBytes(20))
        let hint = randomBytes(51 * 2)
        let builder = Invoice.Builder(
            network: "tbs", amountMsat: 42, timestamp: (1 << 35) - 1, paymentHash: randomBytes(32),
            description: String(repeating: "é", count: 300), expiry: 0, minFinalCltvExpiry: UInt64.max,
            includesPayee: true, features: [], metadata: randomBytes(7), fallbacks: [fallback, p2sh],
            routeHints: [hint, randomBytes(51)])
        let invoice = try builder.sign(with: key)
        #expect(invoice.bolt11.hasPrefix("lntbs420p1"))
        #expect(invoice.timestamp == (1 << 35) - 1)
        #expect(invoice.expiry == 0)
        #expect(invoice.minFinalCltvExpiry == UInt64.max)
        #expect(invoice.expiresAt == (1 << 35) - 1)
        #expect(invoice.features == [])
        #expect(invoice.metadata == builder.metadata)
        #expect(invoice.fallbacks == [fallback, p2sh])
        #expect(invoice.routeHints == builder.routeHints)
        #expect(invoice.description == builder.description)
        #expect(invoice.encoded() == invoice.bolt11)
        #expect(try Invoice(parsing: invoice.bolt11) == invoice)
    }

    @Test("unknown fields are kept in place and written back")
    func unknownFields() throws {
        let key = Scalar.random()
        let extra = try TaggedField(tag: #require(TaggedField.Tag(character: "v")), words: [1, 2, 3, 31])
        let empty = try TaggedField(tag: #require(TaggedField.Tag(rawValue: 0)), words: [])
        let invoice = try Invoice.Builder(
            timestamp: 1, paymentHash: randomBytes(32), description: "x", extraFields: [extra, empty]
        ).sign(with: key)
        #expect(invoice.ignoredFields == [extra, empty])
        #expect(invoice.fields.suffix(2) == [extra, empty])
        #expect(invoice.encoded() == invoice.bolt11)
        #expect(extra.tag.character == "v" && extra.tag.rawValue == 12)
    }

    @Test("feature bit helpers")
    func featureBits() {
        let words = FeatureBits.words(setting: [8, 15, 99, 0])
        #expect(words.count == 20)
        #expect(FeatureBits.setBits(in: words) == [0, 8, 15, 99])
        #expect(FeatureBits.isSet(99, in: words))
        #expect(!FeatureBits.isSet(100, in: words) && !FeatureBits.isSet(-1, in: words))
        #expect(FeatureBits.words(setting: []) == [])
        #expect(FeatureBits.words(setting: [Int.max, -1]) == [])
        #expect(FeatureBits.words(setting: [FeatureBits.maxBit]).count == TaggedField.maxWords)
        // Bits 8 and 15 as the Python package writes them (0x08100): 00001 00000 01000 00000.
        #expect(FeatureBits.words(setting: [8, 15]) == [1, 0, 8, 0])
        #expect(FeatureBits.unknownRequiredBits(in: FeatureBits.words(setting: [8, 15, 98, 101]), known: [9, 14]) == [98])
    }
}
