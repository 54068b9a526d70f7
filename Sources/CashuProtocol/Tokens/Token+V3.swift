import CashewEncoding
import CashuCrypto
import Secp256k1

/// V3 (`cashuA`): `{"token": [{"mint", "proofs": [...]}], "unit", "memo"}`, written with keys in that order.
extension Token {
    func v3JSON() -> JSONValue {
        var top: [(String, JSONValue)] = [
            ("token", .array([.object([("mint", .string(mint)), ("proofs", .array(proofs.map(Token.v3Proof)))])])),
        ]
        if let unit { top.append(("unit", .string(unit.rawValue))) }
        if let memo { top.append(("memo", .string(memo))) }
        return .object(top)
    }

    static func v3Proof(_ p: Proof) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("amount", .uint(p.amount.rawValue)),
            ("id", .string(p.id.hex)),
            ("secret", .string(p.secret)),
            ("C", .string(p.signature.hex)),
        ]
        if let dleq = p.dleq {
            fields.append(("dleq", .object([("e", .string(dleq.e.hex)), ("s", .string(dleq.s.hex)), ("r", .string(dleq.r.hex))])))
        }
        if let witness = p.witness { fields.append(("witness", .string(witness))) }
        if let pe = p.p2pkEphemeralKey { fields.append(("p2pk_e", .string(pe.hex))) }
        return .object(fields)
    }

    init(v3JSON bytes: [UInt8]) throws {
        let json: JSONValue
        do { json = try JSONValue(parsing: bytes) } catch { throw TokenError(.invalidJSON, "V3 token payload is not JSON: \(error)") }
        guard let entries = json["token"]?.arrayValue else { throw TokenError(.invalidJSON, "V3 token has no token list") }
        var mint: String?
        var proofs = [Proof]()
        for entry in entries {
            guard let entryMint = entry["mint"]?.stringValue else { throw TokenError(.invalidField, "V3 token entry has no mint") }
            if let mint, mint != entryMint { throw TokenError(.multipleMints, "V3 token holds proofs of more than one mint") }
            mint = entryMint
            guard let list = entry["proofs"]?.arrayValue else { throw TokenError(.invalidField, "V3 token entry has no proofs") }
            for item in list { proofs.append(try Token.v3ParseProof(item)) }
        }
        guard let mint, !proofs.isEmpty else { throw TokenError(.empty, "token holds no proofs") }
        var unit: CurrencyUnit?
        if let u = json["unit"], !u.isNull {
            guard let s = u.stringValue else { throw TokenError(.invalidField, "V3 token unit is not a string") }
            unit = CurrencyUnit(s)
        }
        var memo: String?
        if let m = json["memo"], !m.isNull {
            guard let s = m.stringValue else { throw TokenError(.invalidField, "V3 token memo is not a string") }
            memo = s
        }
        self.init(mint: mint, unit: unit, memo: memo, proofs: proofs)
    }

    static func v3ParseProof(_ item: JSONValue) throws -> Proof {
        guard let amount = item["amount"]?.uint64Value else { throw TokenError(.invalidField, "proof amount is not an unsigned integer") }
        guard let idText = item["id"]?.stringValue, let id = try? KeysetID(hex: idText, allowShort: true) else {
            throw TokenError(.invalidField, "proof keyset ID is invalid")
        }
        guard let secret = item["secret"]?.stringValue else { throw TokenError(.invalidField, "proof secret is not a string") }
        guard let cText = item["C"]?.stringValue, let c = try? Point(hex: cText) else {
            throw TokenError(.invalidField, "proof C is not a compressed point")
        }
        var witness: String?
        if let w = item["witness"], !w.isNull {
            guard let s = w.stringValue else { throw TokenError(.invalidField, "proof witness is not a string") }
            witness = s
        }
        var dleq: ProofDLEQ?
        if let d = item["dleq"], !d.isNull {
            guard let e = d["e"]?.stringValue.flatMap({ try? Scalar(hex: $0) }),
                  let s = d["s"]?.stringValue.flatMap({ try? Scalar(hex: $0) }),
                  let r = d["r"]?.stringValue.flatMap({ try? Scalar(hex: $0) })
            else { throw TokenError(.invalidField, "proof DLEQ is not {e, s, r} scalars") }
            dleq = ProofDLEQ(e: e, s: s, r: r)
        }
        var pe: Point?
        if let p = item["p2pk_e"], !p.isNull {
            guard let s = p.stringValue, let point = try? Point(hex: s) else { throw TokenError(.invalidField, "proof p2pk_e is not a point") }
            pe = point
        }
        return Proof(amount: Amount(amount), id: id, secret: secret, signature: c, witness: witness, dleq: dleq, p2pkEphemeralKey: pe)
    }
}
