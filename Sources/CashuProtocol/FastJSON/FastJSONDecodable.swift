import CashewEncoding
import CashuCrypto
import Secp256k1

/// A request the mint reads on its hot path without Foundation's `JSONDecoder` (which costs more per swap than
/// the swap's own ledger write).
///
/// The fast reader is deliberately narrow: it returns `nil` for anything it is not certain `JSONDecoder` would
/// read the same way (duplicate keys, numbers other than plain integers, a wrong type, a `null` where a value is
/// required). The caller then decodes with `JSONDecoder`, which gives the exact result or the precise error, so
/// the two paths never disagree on what a request means.
public protocol FastJSONDecodable {
    init?(fastJSON bytes: UnsafeRawBufferPointer)
}

extension SwapRequest: FastJSONDecodable {
    public init?(fastJSON bytes: UnsafeRawBufferPointer) {
        guard let root = try? JSONValue(parsing: bytes), let object = FastObject(root),
            let inputs = object.array("inputs")?.map(Proof.init(fast:)), let outputs = object.array("outputs")?.map(BlindedMessage.init(fast:))
        else { return nil }
        guard !inputs.contains(where: { $0 == nil }), !outputs.contains(where: { $0 == nil }) else { return nil }
        self.init(inputs: inputs.map { $0! }, outputs: outputs.map { $0! })
    }
}

extension MintRequest: FastJSONDecodable {
    public init?(fastJSON bytes: UnsafeRawBufferPointer) {
        guard let root = try? JSONValue(parsing: bytes), let object = FastObject(root), let quote = object.string("quote"),
            let outputs = object.array("outputs")?.map(BlindedMessage.init(fast:)), !outputs.contains(where: { $0 == nil })
        else { return nil }
        var signature: String?
        if let s = object.optional("signature") {
            guard case let .string(text) = s else { return nil }
            signature = text
        }
        self.init(quote: quote, outputs: outputs.map { $0! }, signature: signature)
    }
}

extension Proof {
    init?(fast value: JSONValue) {
        guard let o = FastObject(value), let amount = o.amount("amount"), let id = o.keysetID("id"), let secret = o.string("secret"),
            let signature = o.point("C")
        else { return nil }
        // Optional fields: absent or null is nil; anything present must read exactly.
        var witness: String?
        if let w = o.optional("witness") {
            guard case let .string(text) = w else { return nil }
            witness = text
        }
        var dleq: ProofDLEQ?
        if let d = o.optional("dleq") {
            guard let dd = FastObject(d), let e = dd.scalar("e"), let s = dd.scalar("s"), let r = dd.scalar("r") else { return nil }
            dleq = ProofDLEQ(e: e, s: s, r: r)
        }
        var ephemeral: Point?
        if let p = o.optional("p2pk_e") {
            guard case let .string(text) = p, let point = try? Point(hex: text) else { return nil }
            ephemeral = point
        }
        self.init(amount: amount, id: id, secret: secret, signature: signature, witness: witness, dleq: dleq, p2pkEphemeralKey: ephemeral)
    }
}

extension BlindedMessage {
    init?(fast value: JSONValue) {
        guard let o = FastObject(value), let amount = o.amount("amount"), let id = o.keysetID("id"), let b = o.point("B_") else { return nil }
        self.init(amount: amount, id: id, blindedSecret: b)
    }
}

/// An object's members for the fast readers: lookups by key, typed accessors that return nil on any doubt.
struct FastObject {
    let pairs: [(String, JSONValue)]

    init?(_ value: JSONValue) {
        guard case let .object(pairs) = value else { return nil }
        self.pairs = pairs
    }

    func value(_ key: String) -> JSONValue? { pairs.first(where: { $0.0 == key })?.1 }

    /// A present, non-null member.
    func optional(_ key: String) -> JSONValue? {
        guard let v = value(key), !v.isNull else { return nil }
        return v
    }

    func array(_ key: String) -> [JSONValue]? { value(key)?.arrayValue }

    func string(_ key: String) -> String? {
        guard case let .string(s)? = value(key) else { return nil }
        return s
    }

    /// A plain non-negative integer literal that fits 64 bits (`1.0`, `1e3` and `-0` are left to `JSONDecoder`).
    func amount(_ key: String) -> Amount? {
        guard case let .number(text)? = value(key), !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let v = UInt64(text)
        else { return nil }
        return Amount(v)
    }

    func keysetID(_ key: String) -> KeysetID? { string(key).flatMap { try? KeysetID(hex: $0) } }
    func point(_ key: String) -> Point? { string(key).flatMap { try? Point(hex: $0) } }
    func scalar(_ key: String) -> Scalar? { string(key).flatMap { try? Scalar(hex: $0) } }
}
