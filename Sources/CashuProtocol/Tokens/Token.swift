import CashewCBOR
import CashewEncoding
import CashuCrypto
import FoundationEssentials
import Secp256k1

/// A Cashu token: proofs of one mint and one unit, with an optional memo (NUT-00).
///
/// Serializes as V4 (`cashuB` + base64url(CBOR), the default), V3 (`cashuA` + base64url(JSON), deprecated) or raw
/// binary (`crawB` + CBOR). Decoding accepts all three (strings may carry a `cashu:` URI prefix and surrounding
/// whitespace) and never traps on bad input.
public struct Token: Sendable, Hashable {
    /// The mint URL.
    public var mint: String
    /// The unit; V3 tokens may omit it (then it is nil, and wallets assume sat).
    public var unit: CurrencyUnit?
    public var memo: String?
    public var proofs: [Proof]

    public init(mint: String, unit: CurrencyUnit?, memo: String? = nil, proofs: [Proof]) {
        self.mint = mint
        self.unit = unit
        self.memo = memo
        self.proofs = proofs
    }

    /// Serialization formats.
    public enum Version: Sendable, Hashable {
        /// `cashuA`, JSON (deprecated).
        case v3
        /// `cashuB`, CBOR.
        case v4
    }

    /// The sum of the proofs, or nil on overflow.
    public var amount: Amount? { Amount.sum(proofs.map(\.amount)) }

    /// The mint URL without trailing slashes, as V4 tokens write it.
    public var normalizedMint: String {
        var m = Substring(mint)
        while m.hasSuffix("/") { m = m.dropLast() }
        return String(m)
    }

    /// Parses a serialized token: `cashuA…`, `cashuB…`, optionally after `cashu:`.
    public init(decoding text: String) throws {
        var s = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        if s.lowercased().hasPrefix("cashu:") { s = s.dropFirst(6) }
        if s.hasPrefix("cashuA") {
            guard let bytes = Base64URL.decode(s.dropFirst(6)) else { throw TokenError(.invalidBase64, "token payload is not base64url") }
            self = try Token(v3JSON: bytes)
        } else if s.hasPrefix("cashuB") {
            guard let bytes = Base64URL.decode(s.dropFirst(6)) else { throw TokenError(.invalidBase64, "token payload is not base64url") }
            self = try Token(v4CBOR: bytes)
        } else {
            throw TokenError(.unknownPrefix, "a token starts with cashuA or cashuB")
        }
    }

    /// Parses the raw binary form: `crawB` + CBOR.
    public init(raw: [UInt8]) throws {
        let prefix: [UInt8] = Array("crawB".utf8)
        guard raw.count > prefix.count, Array(raw.prefix(prefix.count)) == prefix else {
            throw TokenError(.unknownPrefix, "a raw token starts with crawB")
        }
        self = try Token(v4CBOR: raw.dropFirst(prefix.count))
    }

    /// The serialized token. V4 omits padding, as nutshell does; V3 uses padding.
    public func serialized(_ version: Version = .v4) throws -> String {
        switch version {
        case .v3: return "cashuA" + Base64URL.encode(v3JSON().serializedBytes, padding: true)
        case .v4: return "cashuB" + Base64URL.encode(try v4CBOR().encoded)
        }
    }

    /// The raw binary form: `crawB` + CBOR.
    public func serializedRaw() throws -> [UInt8] {
        Array("crawB".utf8) + (try v4CBOR().encoded)
    }
}

extension Token {
    /// The proofs grouped by keyset in order of first appearance.
    var proofsByKeyset: [(KeysetID, [Proof])] {
        var order = [KeysetID]()
        var groups = [KeysetID: [Proof]]()
        for p in proofs {
            if groups[p.id] == nil { order.append(p.id) }
            groups[p.id, default: []].append(p)
        }
        return order.map { ($0, groups[$0]!) }
    }
}
