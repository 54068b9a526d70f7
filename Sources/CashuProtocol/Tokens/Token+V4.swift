import CashewCBOR
import CashewEncoding
import CashuCrypto
import Secp256k1

/// V4 (`cashuB`) CBOR: `{t: [{i: bytes, p: [{a, s, c, d?, w?, pe?}]}], d?: memo, m: mint, u: unit}`, written in
/// that key order (the order of the specification's examples and of nutshell). Keyset IDs are written in their
/// short form; unknown keys are ignored when reading.
extension Token {
    func v4CBOR() throws -> CBORValue {
        guard let unit else { throw TokenError(.invalidField, "a V4 token needs a unit") }
        let entries: [CBORValue] = proofsByKeyset.map { id, proofs in
            .map([CBORPair("i", .bytes(id.shortID.bytes)), CBORPair("p", .array(proofs.map(Token.v4Proof)))])
        }
        var top = [CBORPair("t", .array(entries))]
        if let memo { top.append(CBORPair("d", .text(memo))) }
        top.append(CBORPair("m", .text(normalizedMint)))
        top.append(CBORPair("u", .text(unit.rawValue)))
        return .map(top)
    }

    static func v4Proof(_ p: Proof) -> CBORValue {
        var fields = [
            CBORPair("a", .unsigned(p.amount.rawValue)),
            CBORPair("s", .text(p.secret)),
            CBORPair("c", .bytes(p.signature.compressed)),
        ]
        if let dleq = p.dleq {
            fields.append(CBORPair("d", .map([
                CBORPair("e", .bytes(dleq.e.bytes)), CBORPair("s", .bytes(dleq.s.bytes)), CBORPair("r", .bytes(dleq.r.bytes)),
            ])))
        }
        if let witness = p.witness { fields.append(CBORPair("w", .text(witness))) }
        if let pe = p.p2pkEphemeralKey { fields.append(CBORPair("pe", .bytes(pe.compressed))) }
        return .map(fields)
    }

    init<Bytes: Collection>(v4CBOR bytes: Bytes) throws where Bytes.Element == UInt8 {
        let value: CBORValue
        do { value = try CBORValue(decoding: bytes) } catch { throw TokenError(.invalidCBOR, "V4 token payload is not CBOR: \(error)") }
        guard value.mapValue != nil else { throw TokenError(.invalidCBOR, "V4 token is not a CBOR map") }
        guard let mint = value["m"]?.textValue else { throw TokenError(.invalidField, "V4 token has no mint (m)") }
        guard let unit = value["u"]?.textValue else { throw TokenError(.invalidField, "V4 token has no unit (u)") }
        var memo: String?
        if let d = value["d"], d != .null {
            guard let s = d.textValue else { throw TokenError(.invalidField, "V4 token memo (d) is not text") }
            memo = s
        }
        guard let entries = value["t"]?.arrayValue else { throw TokenError(.invalidField, "V4 token has no token list (t)") }
        var proofs = [Proof]()
        for entry in entries {
            guard let idBytes = entry["i"]?.bytesValue, let id = try? KeysetID(bytes: idBytes, allowShort: true) else {
                throw TokenError(.invalidField, "V4 token entry has no valid keyset ID (i)")
            }
            guard let list = entry["p"]?.arrayValue else { throw TokenError(.invalidField, "V4 token entry has no proofs (p)") }
            for item in list { proofs.append(try Token.v4ParseProof(item, id: id)) }
        }
        guard !proofs.isEmpty else { throw TokenError(.empty, "token holds no proofs") }
        self.init(mint: mint, unit: CurrencyUnit(unit), memo: memo, proofs: proofs)
    }

    static func v4ParseProof(_ item: CBORValue, id: KeysetID) throws -> Proof {
        guard let amount = item["a"]?.unsignedValue else { throw TokenError(.invalidField, "proof amount (a) is not an unsigned integer") }
        guard let secret = item["s"]?.textValue else { throw TokenError(.invalidField, "proof secret (s) is not text") }
        guard let cBytes = item["c"]?.bytesValue, let c = try? Point(compressed: cBytes) else {
            throw TokenError(.invalidField, "proof signature (c) is not a compressed point")
        }
        var witness: String?
        if let w = item["w"], w != .null {
            guard let s = w.textValue else { throw TokenError(.invalidField, "proof witness (w) is not text") }
            witness = s
        }
        var dleq: ProofDLEQ?
        if let d = item["d"], d != .null {
            guard let e = d["e"]?.bytesValue.flatMap({ try? Scalar(bytes: $0) }),
                  let s = d["s"]?.bytesValue.flatMap({ try? Scalar(bytes: $0) }),
                  let r = d["r"]?.bytesValue.flatMap({ try? Scalar(bytes: $0) })
            else { throw TokenError(.invalidField, "proof DLEQ (d) is not {e, s, r} 32-byte scalars") }
            dleq = ProofDLEQ(e: e, s: s, r: r)
        }
        var pe: Point?
        if let p = item["pe"], p != .null {
            guard let b = p.bytesValue, let point = try? Point(compressed: b) else {
                throw TokenError(.invalidField, "proof ephemeral key (pe) is not a compressed point")
            }
            pe = point
        }
        return Proof(amount: Amount(amount), id: id, secret: secret, signature: c, witness: witness, dleq: dleq, p2pkEphemeralKey: pe)
    }
}
