import CashewCBOR
import CashewEncoding
import CashuCrypto
import FoundationEssentials

/// A NUT-18 payment request: what a receiver asks for and how the sender should deliver the token.
///
/// Encoded as `creqA` + base64url(CBOR) with keys in the order `t, i, a, u, m, d, s, nut10` (the order of the
/// specification's encoded examples). Decoding ignores unknown keys and tolerates `undefined` for absent values.
public struct PaymentRequest: Sendable, Hashable {
    /// The payment ID to echo in the payload (`i`).
    public var id: String?
    /// The amount (`a`).
    public var amount: Amount?
    /// The unit (`u`); must be set when `amount` is.
    public var unit: CurrencyUnit?
    /// Single use (`s`).
    public var singleUse: Bool?
    /// Acceptable mints (`m`).
    public var mints: [String]?
    /// Description to show the payer (`d`).
    public var description: String?
    /// Transports by preference (`t`); none means in-band.
    public var transports: [Transport]?
    /// A required NUT-10 lock (`nut10`).
    public var nut10: NUT10Option?

    public init(
        id: String? = nil, amount: Amount? = nil, unit: CurrencyUnit? = nil, singleUse: Bool? = nil, mints: [String]? = nil,
        description: String? = nil, transports: [Transport]? = nil, nut10: NUT10Option? = nil
    ) {
        self.id = id
        self.amount = amount
        self.unit = unit
        self.singleUse = singleUse
        self.mints = mints
        self.description = description
        self.transports = transports
        self.nut10 = nut10
    }

    /// How the token reaches the receiver.
    public struct Transport: Sendable, Hashable {
        /// `nostr`, `post`, …
        public var type: String
        /// The target: an nprofile, a URL.
        public var target: String
        /// Tags such as `[["n", "17"]]`.
        public var tags: [[String]]?

        public init(type: String, target: String, tags: [[String]]? = nil) {
            self.type = type
            self.target = target
            self.tags = tags
        }

        /// HTTP POST of a `PaymentRequestPayload` to `url`.
        public static func post(_ url: String) -> Transport { Transport(type: "post", target: url) }
    }

    /// A requested NUT-10 lock: kind, data, tags.
    public struct NUT10Option: Sendable, Hashable {
        public var kind: String
        public var data: String
        public var tags: [[String]]?

        public init(kind: String, data: String, tags: [[String]]? = nil) {
            self.kind = kind
            self.data = data
            self.tags = tags
        }
    }

    /// Why a string is not a payment request.
    public struct DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// `creqA` + base64url(CBOR), padded as the specification's examples are.
    public var encoded: String { "creqA" + Base64URL.encode(cbor.encoded, padding: true) }

    /// Parses `creqA…` (padding optional).
    public init(decoding text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("creqA") else { throw DecodingError(description: "a payment request starts with creqA") }
        guard let bytes = Base64URL.decode(trimmed.dropFirst(5)) else { throw DecodingError(description: "payment request is not base64url") }
        let value: CBORValue
        do { value = try CBORValue(decoding: bytes) } catch { throw DecodingError(description: "payment request is not CBOR: \(error)") }
        try self.init(cbor: value)
    }

    /// The CBOR map.
    public var cbor: CBORValue {
        var pairs = [CBORPair]()
        if let transports {
            pairs.append(CBORPair("t", .array(transports.map { t in
                var fields = [CBORPair("t", .text(t.type)), CBORPair("a", .text(t.target))]
                if let tags = t.tags { fields.append(CBORPair("g", PaymentRequest.tagsCBOR(tags))) }
                return .map(fields)
            })))
        }
        if let id { pairs.append(CBORPair("i", .text(id))) }
        if let amount { pairs.append(CBORPair("a", .unsigned(amount.rawValue))) }
        if let unit { pairs.append(CBORPair("u", .text(unit.rawValue))) }
        if let mints { pairs.append(CBORPair("m", .array(mints.map(CBORValue.text)))) }
        if let description { pairs.append(CBORPair("d", .text(description))) }
        if let singleUse { pairs.append(CBORPair("s", .bool(singleUse))) }
        if let nut10 {
            var fields = [CBORPair("k", .text(nut10.kind)), CBORPair("d", .text(nut10.data))]
            if let tags = nut10.tags { fields.append(CBORPair("t", PaymentRequest.tagsCBOR(tags))) }
            pairs.append(CBORPair("nut10", .map(fields)))
        }
        return .map(pairs)
    }

    static func tagsCBOR(_ tags: [[String]]) -> CBORValue { .array(tags.map { .array($0.map(CBORValue.text)) }) }

    /// Reads the CBOR map.
    public init(cbor value: CBORValue) throws {
        guard value.mapValue != nil else { throw DecodingError(description: "payment request is not a CBOR map") }
        func present(_ key: String, in map: CBORValue) -> CBORValue? {
            guard let v = map[key], v != .null, v != .undefined else { return nil }
            return v
        }
        func text(_ key: String, in map: CBORValue) throws -> String? {
            guard let v = present(key, in: map) else { return nil }
            guard let s = v.textValue else { throw DecodingError(description: "\(key) is not text") }
            return s
        }
        func tags(_ key: String, in map: CBORValue) throws -> [[String]]? {
            guard let v = present(key, in: map) else { return nil }
            guard let list = v.arrayValue else { throw DecodingError(description: "\(key) is not a list of tags") }
            return try list.map { tag in
                guard let items = tag.arrayValue else { throw DecodingError(description: "a tag is not a list") }
                return try items.map { item in
                    guard let s = item.textValue else { throw DecodingError(description: "a tag value is not text") }
                    return s
                }
            }
        }
        id = try text("i", in: value)
        if let a = present("a", in: value) {
            guard let n = a.unsignedValue else { throw DecodingError(description: "a is not an unsigned integer") }
            amount = Amount(n)
        }
        unit = try text("u", in: value).map { CurrencyUnit(rawValue: $0) }
        if let s = present("s", in: value) {
            guard let b = s.boolValue else { throw DecodingError(description: "s is not a Boolean") }
            singleUse = b
        }
        if let m = present("m", in: value) {
            guard let list = m.arrayValue else { throw DecodingError(description: "m is not a list") }
            mints = try list.map { item in
                guard let s = item.textValue else { throw DecodingError(description: "a mint URL is not text") }
                return s
            }
        }
        description = try text("d", in: value)
        if let t = present("t", in: value) {
            guard let list = t.arrayValue else { throw DecodingError(description: "t is not a list") }
            transports = try list.map { entry in
                guard let type = try text("t", in: entry), let target = try text("a", in: entry) else {
                    throw DecodingError(description: "a transport needs t and a")
                }
                return Transport(type: type, target: target, tags: try tags("g", in: entry))
            }
        }
        if let n = present("nut10", in: value) {
            guard let kind = try text("k", in: n), let data = try text("d", in: n) else {
                throw DecodingError(description: "nut10 needs k and d")
            }
            nut10 = NUT10Option(kind: kind, data: data, tags: try tags("t", in: n))
        }
    }
}

/// The body a payer sends to a NUT-18 transport: `{"id"?, "memo"?, "mint", "unit", "proofs"}`.
public struct PaymentRequestPayload: Codable, Hashable, Sendable {
    public var id: String?
    public var memo: String?
    public var mint: String
    public var unit: CurrencyUnit
    public var proofs: [Proof]

    public init(id: String?, memo: String?, mint: String, unit: CurrencyUnit, proofs: [Proof]) {
        self.id = id
        self.memo = memo
        self.mint = mint
        self.unit = unit
        self.proofs = proofs
    }
}
