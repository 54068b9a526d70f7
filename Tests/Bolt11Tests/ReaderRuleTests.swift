import Bolt11
import CashewEncoding
import Secp256k1
import Testing

/// BOLT11's reader rules, checked on invoices that are validly signed but unusual.
@Suite("Reader rules")
struct ReaderRuleTests {
    let key = Scalar.random()

    func field(_ tag: TaggedField.Tag, _ bytes: [UInt8]) throws -> TaggedField { try TaggedField(tag: tag, bytes: bytes) }
    func words(_ tag: TaggedField.Tag, _ words: [UInt8]) throws -> TaggedField { try TaggedField(tag: tag, words: words) }

    @Test("no payment hash is an error")
    func missingPaymentHash() throws {
        let text = try signRaw([field(.description, Array("no hash".utf8))], key: key)
        let error = #expect(throws: Bolt11Error.self) { try Invoice(parsing: text) }
        #expect(error?.code == .missingPaymentHash)
    }

    @Test("p, s, h and n fields of the wrong length are skipped")
    func wrongLengthsSkipped() throws {
        let hash = randomBytes(32)
        let shortHash = try field(.paymentHash, randomBytes(31))
        let longSecret = try words(.paymentSecret, [UInt8](repeating: 0, count: 53))
        let shortDescriptionHash = try field(.descriptionHash, randomBytes(20))
        let otherKey = try Scalar.random().publicPoint
        let shortPayee = try words(.payee, Array(wordsOf(otherKey.compressed).prefix(52)))
        let fields = [shortHash, longSecret, shortDescriptionHash, shortPayee, try field(.paymentHash, hash)]
        let invoice = try Invoice(parsing: signRaw(fields, key: key))
        #expect(invoice.paymentHash == hash)
        #expect(invoice.paymentSecret == nil && invoice.descriptionHash == nil && invoice.description == nil)
        #expect(!invoice.hasPayeeField)
        #expect(invoice.payee == (try key.publicPoint))
        #expect(invoice.ignoredFields == [shortHash, longSecret, shortDescriptionHash, shortPayee])
        #expect(invoice.encoded() == invoice.bolt11)

        // Only a wrong-length p: then there is no payment hash at all.
        let error = #expect(throws: Bolt11Error.self) { try Invoice(parsing: signRaw([shortHash], key: key)) }
        #expect(error?.code == .missingPaymentHash)
    }

    @Test("the first of repeated single-valued fields wins")
    func repeats() throws {
        let first = randomBytes(32)
        let fields = [
            try field(.paymentHash, first), try field(.paymentHash, randomBytes(32)),
            try field(.description, Array("one".utf8)), try field(.description, Array("two".utf8)),
            try TaggedField(tag: .expiry, integer: 5), try TaggedField(tag: .expiry, integer: 6),
        ]
        let invoice = try Invoice(parsing: signRaw(fields, key: key))
        #expect(invoice.paymentHash == first)
        #expect(invoice.description == "one")
        #expect(invoice.expiry == 5)
        #expect(invoice.ignoredFields == [fields[1], fields[3], fields[5]])
    }

    @Test("description and description hash may both be absent, or both present")
    func descriptions() throws {
        let hash = randomBytes(32)
        let neither = try Invoice(parsing: signRaw([field(.paymentHash, hash)], key: key))
        #expect(neither.description == nil && neither.descriptionHash == nil)
        #expect(!neither.descriptionHashMatches(""))
        let both = try Invoice(parsing: signRaw(
            [field(.paymentHash, hash), field(.description, [0x61]), field(.descriptionHash, hash)], key: key))
        #expect(both.description == "a" && both.descriptionHash == hash)
    }

    @Test("integer fields: empty is zero, leading zero words are read, more than 64 bits is an error")
    func integers() throws {
        let hash = randomBytes(32)
        let empty = try Invoice(parsing: signRaw([field(.paymentHash, hash), words(.expiry, []), words(.minFinalCltvExpiry, [])], key: key))
        #expect(empty.expiry == 0 && empty.minFinalCltvExpiry == 0)
        let padded = try Invoice(parsing: signRaw([field(.paymentHash, hash), words(.expiry, [0, 0, 0, 1, 2])], key: key))
        #expect(padded.expiry == 34)
        #expect(padded.encoded() == padded.bolt11)
        // 12 words of 31 and a 13th word of 15: exactly 64 bits; one more bit overflows.
        let max = try Invoice(parsing: signRaw([field(.paymentHash, hash), words(.expiry, [15] + [UInt8](repeating: 31, count: 12))], key: key))
        #expect(max.expiry == UInt64.max)
        #expect(max.expiresAt == UInt64.max)
        for overflow: [UInt8] in [[16] + [UInt8](repeating: 0, count: 12), [UInt8](repeating: 31, count: 20)] {
            let text = try signRaw([field(.paymentHash, hash), words(.minFinalCltvExpiry, overflow)], key: key)
            let error = #expect(throws: Bolt11Error.self) { try Invoice(parsing: text) }
            #expect(error?.code == .invalidField)
        }
    }

    @Test("malformed known fields: non-zero padding, bad UTF-8, a payee that is not a key")
    func malformedFields() throws {
        let hash = randomBytes(32)
        var hashWords = wordsOf(hash)
        hashWords[51] |= 1  // a padding bit
        let bad: [[TaggedField]] = [
            [try words(.paymentHash, hashWords)],
            [try field(.paymentHash, hash), try field(.description, [0xC3, 0x28])],
            [try field(.paymentHash, hash), try words(.description, [31])],  // a whole surplus word
            [try field(.paymentHash, hash), try field(.payee, [0x05] + randomBytes(32))],
            [try field(.paymentHash, hash), try field(.payee, [0x02] + [UInt8](repeating: 0xFF, count: 32))],
        ]
        for fields in bad {
            let text = try signRaw(fields, key: key)
            let error = #expect(throws: Bolt11Error.self) { try Invoice(parsing: text) }
            #expect(error?.code == .invalidField, "\(fields.map(\.tag))")
        }
    }

    @Test("an n field that names another key fails verification instead of recovering")
    func wrongPayee() throws {
        let other = try Scalar.random().publicPoint
        let text = try signRaw([field(.paymentHash, randomBytes(32)), field(.payee, other.compressed)], key: key)
        let error = #expect(throws: Bolt11Error.self) { try Invoice(parsing: text) }
        #expect(error?.code == .invalidSignature)
    }

    @Test("fallback addresses of unknown versions are skipped; route hints are kept raw")
    func fallbacksAndHints() throws {
        let program = randomBytes(32)
        let unknown = try words(.fallback, [19, 1, 2, 3])
        let empty = try words(.fallback, [])
        let hint = randomBytes(51)
        let fields = [
            try field(.paymentHash, randomBytes(32)), unknown, empty,
            try words(.fallback, [1] + wordsOf(program).prefix(52)), try field(.routeHint, hint),
        ]
        let invoice = try Invoice(parsing: signRaw(fields, key: key))
        #expect(invoice.fallbacks == [try FallbackAddress(version: 1, program: program)])
        #expect(invoice.routeHints == [hint])
        #expect(invoice.ignoredFields == [unknown, empty])
        #expect(invoice.encoded() == invoice.bolt11)
    }

    @Test("the reader checks only what it was given: hrp amount, network and data are all signed")
    func networks() throws {
        for network in ["bc", "tb", "tbs", "bcrt"] {
            let invoice = try Invoice(parsing: signRaw([field(.paymentHash, randomBytes(32))], key: key, amountMsat: 1, network: network))
            #expect(invoice.network == network)
            #expect(invoice.humanReadablePart == "ln\(network)10p")
        }
    }
}
