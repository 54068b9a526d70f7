import CashuCrypto
import Secp256k1

/// A proof (an input, a coin): amount, keyset, secret and unblinded signature `C` (NUT-00), with an optional
/// witness (NUT-11/14), DLEQ proof (NUT-12) and NUT-28 ephemeral key.
public struct Proof: Codable, Hashable, Sendable {
    public var amount: Amount
    /// The keyset that signed. In a V4 token this may be the short form until resolved against the mint's keysets.
    public var id: KeysetID
    /// The secret, exactly as signed (its UTF-8 bytes are hashed to the curve).
    public var secret: String
    /// `C = k·hash_to_curve(secret)`.
    public var signature: Point
    /// The witness (a JSON string) for spending conditions.
    public var witness: String?
    /// The DLEQ proof with the blinding factor.
    public var dleq: ProofDLEQ?
    /// NUT-28: the sender's ephemeral public key for pay-to-blinded-key locks.
    public var p2pkEphemeralKey: Point?

    public init(
        amount: Amount, id: KeysetID, secret: String, signature: Point, witness: String? = nil, dleq: ProofDLEQ? = nil,
        p2pkEphemeralKey: Point? = nil
    ) {
        self.amount = amount
        self.id = id
        self.secret = secret
        self.signature = signature
        self.witness = witness
        self.dleq = dleq
        self.p2pkEphemeralKey = p2pkEphemeralKey
    }

    enum CodingKeys: String, CodingKey {
        case amount, id, secret
        case signature = "C"
        case witness, dleq
        case p2pkEphemeralKey = "p2pk_e"
    }

    /// `Y = hash_to_curve(secret)`, the proof's nullifier in the mint's ledger (NUT-07).
    public var y: Point {
        get throws { try HashToCurve.point(forSecret: secret) }
    }
}
