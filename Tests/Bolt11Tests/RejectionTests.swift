import Bolt11
import CashewEncoding
import Secp256k1
import Testing

@Suite("Malformed invoices are rejected")
struct RejectionTests {
    /// Expects `text` to be rejected with `code`.
    func expectRejected(_ text: String, _ code: Bolt11Error.Code, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: Bolt11Error.self, sourceLocation: sourceLocation) { try Invoice(parsing: text) }
        #expect(error?.code == code, "\(error.map(String.init(describing:)) ?? "no error")", sourceLocation: sourceLocation)
    }

    @Test("a wrong checksum character")
    func badChecksum() throws {
        let good = try sampleInvoice().bolt11
        var chars = Array(good)
        chars[chars.count - 1] = chars.last == "q" ? "p" : "q"
        expectRejected(String(chars), .invalidEncoding)
        chars = Array(good)
        chars[40] = chars[40] == "q" ? "p" : "q"
        expectRejected(String(chars), .invalidEncoding)
    }

    @Test("mixed case, Bech32m, characters outside the alphabet, trailing garbage")
    func badEncoding() throws {
        let good = try sampleInvoice().bolt11
        expectRejected(good.prefix(20).uppercased() + good.dropFirst(20), .invalidEncoding)
        expectRejected(try rewrite(good, variant: .bech32m), .invalidEncoding)
        expectRejected(good + "q", .invalidEncoding)
        expectRejected(good + "qqqqqq", .invalidEncoding)
        expectRejected(" " + good, .invalidEncoding)
        expectRejected(String(good.replacing("1", with: "b")), .invalidEncoding)
        expectRejected("lightning:lightning:" + good, .invalidEncoding)
        expectRejected("bitcoin:" + good, .invalidEncoding)
    }

    @Test("empty and nonsense strings", arguments: ["", "lightning:", "1", "ln1", "lnbc1", "lnbc1qqqqqqqq", "💸", "LNBC", "\u{0}"])
    func nonsense(text: String) {
        #expect(throws: Bolt11Error.self) { try Invoice(parsing: text) }
    }

    @Test("unknown human-readable prefixes", arguments: ["lxbc2500u", "bc2500u", "ln2500u", "lnxy2500u", "lnbcx2500u", "lntbsx", "lnsb"])
    func badPrefix(hrp: String) throws {
        expectRejected(try rewrite(sampleInvoice().bolt11, hrp: hrp), .unknownPrefix)
    }

    @Test(
        "bad amounts: multiplier, leading zero, sub-millisatoshi pico, overflow",
        arguments: ["lnbc2500x", "lnbc25.00u", "lnbc02500u", "lnbc0", "lnbc0p", "lnbc15p", "lnbc2500uu",
                    "lnbc99999999999999999999p", "lnbc999999999999999999990p", "lnbc184467440737095516160p",
                    "lnbc1000000000", "lnbc200000000000m"])
    func badAmount(hrp: String) throws {
        expectRejected(try rewrite(sampleInvoice().bolt11, hrp: hrp), .invalidAmount)
    }

    @Test("truncated data")
    func truncated() throws {
        let good = try sampleInvoice().bolt11
        // Too short for a timestamp and a signature.
        expectRejected(try rewrite(good) { Array($0.prefix(110)) }, .truncated)
        expectRejected(try rewrite(good) { _ in [] }, .truncated)
        // Dropping words from the fields makes a field run into the signature or desynchronises the fields.
        // Dropping words desynchronises the fields; where the rest still happens to parse, the signature is garbage.
        let original = try Invoice(parsing: good)
        for cut in [1, 2, 5, 60, 200] {
            for text in [try rewrite(good) { Array($0.dropFirst(7 + cut)) }, try rewrite(good) { Array($0.dropLast(cut)) }] {
                do {
                    #expect(try Invoice(parsing: text).payee != original.payee)
                } catch {
                    #expect(error is Bolt11Error)
                }
            }
        }
        // A field header with its length but no room for the data.
        let key = Scalar.random()
        let valid = try signRaw([TaggedField(tag: .paymentHash, bytes: randomBytes(32))], key: key)
        let padded = try rewrite(valid) { words in Array(words.dropLast(104)) + [1, 0] + words.suffix(104) }
        expectRejected(padded, .truncated)
        let overlong = try rewrite(valid) { words in Array(words.dropLast(104)) + [13, 31, 31] + words.suffix(104) }
        expectRejected(overlong, .truncated)
    }

    @Test("a flipped signature bit changes the recovered payee or fails")
    func flippedSignatureBit() throws {
        let key = Scalar.random()
        let invoice = try sampleInvoice(key: key)
        for bit in [0, 1, 4, 100, 255, 256, 300, 511] {
            let tampered = try rewrite(invoice.bolt11) { words in
                var w = words
                let index = w.count - 104 + bit / 5
                w[index] ^= 1 << UInt8(4 - bit % 5)
                return w
            }
            do {
                let decoded = try Invoice(parsing: tampered)
                #expect(decoded.payee != invoice.payee)
            } catch let error as Bolt11Error {
                #expect(error.code == .invalidSignature)
            }
        }
    }

    @Test("with an n field, any change to the signature or the data fails verification")
    func flippedWithPayee() throws {
        let invoice = try sampleInvoice(includesPayee: true)
        for bit in [0, 7, 100, 300, 511] {
            let tampered = try rewrite(invoice.bolt11) { words in
                var w = words
                w[w.count - 104 + bit / 5] ^= 1 << UInt8(4 - bit % 5)
                return w
            }
            expectRejected(tampered, .invalidSignature)
        }
        // A changed timestamp keeps the structure but not the signed message.
        expectRejected(try rewrite(invoice.bolt11) { var w = $0; w[3] ^= 1; return w }, .invalidSignature)
        // So does a changed amount.
        expectRejected(try rewrite(invoice.bolt11, hrp: "lnbc2501u"), .invalidSignature)
    }

    @Test("recovery ids above 3 and a signature that is not a valid scalar pair")
    func badSignatureBytes() throws {
        let key = Scalar.random()
        let valid = try signRaw([TaggedField(tag: .paymentHash, bytes: randomBytes(32)), TaggedField(tag: .description, bytes: [])], key: key)
        for recoveryID: UInt8 in [4, 5, 255] {
            let tampered = try rewrite(valid) { words in
                var bytes = Bech32.convertBits(Array(words.suffix(104)), from: 5, to: 8, pad: false) ?? []
                bytes[64] = recoveryID
                return Array(words.dropLast(104)) + (Bech32.convertBits(bytes, from: 8, to: 5, pad: true) ?? [])
            }
            expectRejected(tampered, .invalidSignature)
        }
        // r = s = 0xff…: not below the group order.
        let overflowing = try rewrite(valid) { words in
            Array(words.dropLast(104)) + (Bech32.convertBits([UInt8](repeating: 0xFF, count: 64) + [0], from: 8, to: 5, pad: true) ?? [])
        }
        expectRejected(overflowing, .invalidSignature)
        let zero = try rewrite(valid) { words in Array(words.dropLast(104)) + [UInt8](repeating: 0, count: 104) }
        expectRejected(zero, .invalidSignature)
    }

    @Test("the builder refuses what it cannot write")
    func builderRejects() throws {
        let key = Scalar.random()
        let hash = randomBytes(32)
        func code(_ builder: Invoice.Builder) -> Bolt11Error.Code? {
            do {
                _ = try builder.sign(with: key)
                return nil
            } catch {
                return (error as? Bolt11Error)?.code
            }
        }
        #expect(code(.init(timestamp: 1, paymentHash: hash)) == .invalidField)  // neither d nor h
        #expect(code(.init(timestamp: 1, paymentHash: hash, description: "a", descriptionHash: hash)) == .invalidField)
        #expect(code(.init(timestamp: 1, paymentHash: [1, 2], description: "a")) == .invalidField)
        #expect(code(.init(timestamp: 1, paymentHash: hash, paymentSecret: [1], description: "a")) == .invalidField)
        #expect(code(.init(timestamp: 1, paymentHash: hash, descriptionHash: [1])) == .invalidField)
        #expect(code(.init(amountMsat: 0, timestamp: 1, paymentHash: hash, description: "a")) == .invalidAmount)
        #expect(code(.init(network: "xx", timestamp: 1, paymentHash: hash, description: "a")) == .unknownPrefix)
        #expect(code(.init(timestamp: 1 << 35, paymentHash: hash, description: "a")) == .invalidTimestamp)
        #expect(code(.init(timestamp: 1, paymentHash: hash, description: String(repeating: "a", count: 640))) == .fieldTooLong)
        #expect(code(.init(timestamp: 1, paymentHash: hash, description: String(repeating: "a", count: 639))) == nil)
        #expect(code(.init(timestamp: 1, paymentHash: hash, description: "a", features: [32])) == .invalidField)
        #expect(throws: Bolt11Error.self) { try FallbackAddress(version: 19, program: []) }
        #expect(throws: Bolt11Error.self) { try TaggedField(tag: .description, words: [UInt8](repeating: 0, count: 1024)) }
        #expect(TaggedField.Tag(rawValue: 32) == nil && TaggedField.Tag(character: "b") == nil)
    }
}
