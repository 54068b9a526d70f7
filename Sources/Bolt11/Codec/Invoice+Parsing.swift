import CashewEncoding
import Secp256k1

extension Invoice {
    /// Decodes an invoice and checks its signature.
    ///
    /// Accepts upper or lower case (not mixed) and an optional `lightning:` prefix in any case. Throws
    /// ``Bolt11Error`` for anything malformed: never traps on bad input.
    public init(parsing string: String) throws {
        var text = Substring(string)
        if text.utf8.count >= 10, String(decoding: text.utf8.prefix(10), as: UTF8.self).lowercased() == "lightning:" {
            text = Substring(text.utf8.dropFirst(10))
        }
        let decoded: Bech32.Decoded
        do {
            decoded = try Bech32.decode(String(text))
        } catch let error as Bech32.DecodingError {
            throw Bolt11Error(.invalidEncoding, error.description)
        }
        guard decoded.variant == .bech32 else { throw Bolt11Error(.invalidEncoding, "Bech32m checksum; invoices use Bech32") }

        let hrp = decoded.hrp
        let (network, amountMsat) = try Invoice.parseHumanReadablePart(hrp)
        let words = decoded.data
        guard words.count >= Invoice.timestampWords + Invoice.signatureWords else {
            throw Bolt11Error(.truncated, "data part is too short for a timestamp and a signature")
        }
        let body = Array(words.dropLast(Invoice.signatureWords))
        guard let timestamp = Words.integer(body.prefix(Invoice.timestampWords)) else {
            throw Bolt11Error(.truncated, "no timestamp")
        }
        let fields = try Invoice.splitFields(body.dropFirst(Invoice.timestampWords))
        let reader = try FieldReader(fields: fields)

        let signature = try Invoice.parseSignature(words.suffix(Invoice.signatureWords))
        let digest = Invoice.signingDigest(humanReadablePart: hrp, dataWords: body)
        let payee: Point
        if let named = reader.payee {
            // BOLT11: with a valid `n` field, verify against it instead of recovering.
            guard signature.isValid(for: named, digest: digest) else {
                throw Bolt11Error(.invalidSignature, "signature does not verify against the payee field 'n'")
            }
            payee = named
        } else {
            do {
                payee = try signature.recoverPublicKey(digest: digest)
            } catch {
                throw Bolt11Error(.invalidSignature, "no public key recovers from the signature")
            }
        }
        guard let paymentHash = reader.paymentHash else {
            throw Bolt11Error(.missingPaymentHash, "no 52-word payment hash field 'p'")
        }

        self.init(
            bolt11: String(text).lowercased(), humanReadablePart: hrp, network: network, amountMsat: amountMsat,
            timestamp: timestamp, paymentHash: paymentHash, paymentSecret: reader.paymentSecret,
            description: reader.description, descriptionHash: reader.descriptionHash,
            expiry: reader.expiry ?? Invoice.defaultExpiry,
            minFinalCltvExpiry: reader.minFinalCltvExpiry ?? Invoice.defaultMinFinalCltvExpiry,
            payee: payee, hasPayeeField: reader.payee != nil, features: reader.features, metadata: reader.metadata,
            fallbacks: reader.fallbacks, routeHints: reader.routeHints, fields: fields, ignoredFields: reader.ignored,
            signature: signature)
    }

    /// Splits `ln` + currency prefix + optional amount.
    static func parseHumanReadablePart(_ hrp: String) throws -> (network: String, amountMsat: UInt64?) {
        let bytes = Array(hrp.utf8)
        guard bytes.starts(with: Array("ln".utf8)) else {
            throw Bolt11Error(.unknownPrefix, "human-readable part '\(hrp)' does not start with 'ln'")
        }
        let rest = bytes.dropFirst(2)
        let amountStart = rest.firstIndex(where: Bolt11Amount.isDigit) ?? rest.endIndex
        let network = String(decoding: rest[..<amountStart], as: UTF8.self)
        guard knownNetworks.contains(network) else {
            throw Bolt11Error(.unknownPrefix, "unknown currency prefix in '\(hrp)'")
        }
        let amount = rest[amountStart...]
        if amount.isEmpty { return (network, nil) }
        return (network, try Bolt11Amount.parse(String(decoding: amount, as: UTF8.self)))
    }

    /// Cuts the words between the timestamp and the signature into tagged fields.
    static func splitFields(_ words: ArraySlice<UInt8>) throws -> [TaggedField] {
        var fields = [TaggedField]()
        var i = words.startIndex
        while i < words.endIndex {
            guard words.endIndex - i >= 3 else { throw Bolt11Error(.truncated, "incomplete tagged field header") }
            let tag = TaggedField.Tag(unchecked: words[i])
            let length = Int(words[i + 1]) << 5 | Int(words[i + 2])
            i += 3
            guard words.endIndex - i >= length else {
                throw Bolt11Error(.truncated, "field '\(tag)' runs into the signature")
            }
            fields.append(TaggedField(unchecked: tag, words: Array(words[i..<(i + length)])))
            i += length
        }
        return fields
    }

    /// 104 words: 64 compact bytes and a recovery id 0...3.
    static func parseSignature(_ words: ArraySlice<UInt8>) throws -> RecoverableSignature {
        guard let bytes = Words.bytes(words), bytes.count == 65 else {
            throw Bolt11Error(.invalidSignature, "signature is not 65 bytes")
        }
        guard bytes[64] <= 3 else { throw Bolt11Error(.invalidSignature, "recovery id \(bytes[64]) is not 0...3") }
        do {
            return try RecoverableSignature(compact: Array(bytes[0..<64]), recoveryID: Int32(bytes[64]))
        } catch {
            throw Bolt11Error(.invalidSignature, "signature does not parse")
        }
    }

    /// Decodes an invoice; the same as ``init(parsing:)``.
    public static func decode(_ string: String) throws -> Invoice { try Invoice(parsing: string) }
}
