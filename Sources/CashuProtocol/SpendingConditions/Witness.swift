import CashewEncoding
import Secp256k1

/// The witness of a P2PK or HTLC proof: `{"signatures": [hex, …]}` (NUT-11), plus `"preimage": hex` for HTLCs
/// (NUT-14). It travels as a JSON string in `Proof.witness`.
public struct Witness: Sendable, Hashable {
    /// BIP-340 signatures.
    public var signatures: [SchnorrSignature]
    /// The HTLC preimage, hex.
    public var preimage: String?

    public init(signatures: [SchnorrSignature] = [], preimage: String? = nil) {
        self.signatures = signatures
        self.preimage = preimage
    }

    /// The most signatures a witness may carry; each costs a signature check per key.
    public static let maxSignatures = 64

    /// Parses the witness string. Signatures that are not 64 bytes of hex make the witness invalid.
    public init(parsing text: String) throws {
        let json: JSONValue
        do { json = try JSONValue(parsing: text) } catch {
            throw SpendingConditionError(.invalidWitness, "witness is not JSON")
        }
        guard json.objectValue != nil else { throw SpendingConditionError(.invalidWitness, "witness is not a JSON object") }
        var signatures = [SchnorrSignature]()
        if let list = json["signatures"], !list.isNull {
            guard let items = list.arrayValue, items.count <= Witness.maxSignatures else {
                throw SpendingConditionError(.invalidWitness, "witness signatures are not a list of at most \(Witness.maxSignatures)")
            }
            for item in items {
                guard let hex = item.stringValue, let sig = try? SchnorrSignature(hex: hex) else {
                    throw SpendingConditionError(.invalidWitness, "a witness signature is not 64 bytes of hex")
                }
                signatures.append(sig)
            }
        }
        var preimage: String?
        if let p = json["preimage"], !p.isNull {
            guard let s = p.stringValue else { throw SpendingConditionError(.invalidWitness, "witness preimage is not a string") }
            preimage = s
        }
        self.init(signatures: signatures, preimage: preimage)
    }

    /// The JSON string: `{"preimage":…,"signatures":[…]}` (preimage only when set).
    public var serialized: String {
        var pairs = [(String, JSONValue)]()
        if let preimage { pairs.append(("preimage", .string(preimage))) }
        pairs.append(("signatures", .array(signatures.map { .string($0.hex) })))
        return JSONValue.object(pairs).serialized
    }
}
