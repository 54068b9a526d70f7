import CashewEncoding
import CashuCrypto
import CashuProtocol
import Secp256k1

/// The wallet side of BDHKE, for tests: blinded outputs with their secrets and blinding factors, and unblinding
/// (with the DLEQ check a wallet must do).
public struct BlindedOutputs: Sendable {
    public var messages: [BlindedMessage]
    public var secrets: [String]
    public var factors: [Scalar]

    /// Random secrets for `amounts` in keyset `keyset`.
    public init(_ amounts: [Amount], keyset: KeysetID) throws {
        messages = []
        secrets = []
        factors = []
        for amount in amounts {
            let secret = Hex.encode(SecureRandom.bytes(32))
            let r = Scalar.random()
            messages.append(BlindedMessage(amount: amount, id: keyset, blindedSecret: try BDHKE.blind(secret: secret, r: r)))
            secrets.append(secret)
            factors.append(r)
        }
    }

    /// Why unblinding failed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Proofs from the mint's signatures; `key(id, amount)` gives the mint's public key. Throws if a signature's
    /// DLEQ proof is missing or wrong.
    public func proofs(_ signatures: [BlindSignature], key: (KeysetID, Amount) throws -> Point?) throws -> [Proof] {
        guard signatures.count <= messages.count else { throw Failure(description: "more signatures than outputs") }
        return try signatures.enumerated().map { i, sig in
            guard let K = try key(sig.id, sig.amount) else { throw Failure(description: "no key for \(sig.id) amount \(sig.amount)") }
            guard let dleq = sig.dleq else { throw Failure(description: "signature without DLEQ") }
            let b = try BDHKE.blind(secret: secrets[i], r: factors[i])
            guard DLEQ.verify(dleq.proof, publicKey: K, blindedMessage: b, blindSignature: sig.blindSignature) else {
                throw Failure(description: "DLEQ proof does not verify")
            }
            return Proof(
                amount: sig.amount, id: sig.id, secret: secrets[i], signature: try BDHKE.unblind(sig.blindSignature, r: factors[i], mintKey: K),
                dleq: ProofDLEQ(e: dleq.e, s: dleq.s, r: factors[i]))
        }
    }
}
