import CashewEncoding
import Crypto
import Secp256k1

/// The secrets a wallet can unlock proofs with: private keys (NUT-11, also through NUT-28 blinding) and HTLC
/// preimages (NUT-14). `sign` adds the witnesses a swap or melt needs.
public struct SpendingKeys: Sendable {
    public var privateKeys: [Scalar]
    public var preimages: [[UInt8]]

    public init(privateKeys: [Scalar] = [], preimages: [[UInt8]] = []) {
        self.privateKeys = privateKeys
        self.preimages = preimages
    }

    /// The private keys that sign for `condition`'s main and refund pathways, one per key slot we hold. With an
    /// ephemeral key `E` (NUT-28) each slot's key is derived from ours; without, a slot is ours when its x coordinate
    /// is our key's (BIP-340 signs for both parities).
    public func signers(for condition: SpendingCondition, ephemeral: Point?) throws -> (main: [Scalar], refund: [Scalar]) {
        let first = condition.hashLock == nil ? 0 : 1
        func match(_ key: Point, slot: Int) throws -> Scalar? {
            for p in privateKeys {
                if let E = ephemeral {
                    if let k = try P2BK.signingKey(for: key, slot: slot, privateKey: p, ephemeral: E) { return k }
                } else if try p.publicPoint.xOnly == key.xOnly {
                    return p
                }
            }
            return nil
        }
        let main = try condition.keys.enumerated().compactMap { try match($1, slot: first + $0) }
        let refund = try condition.refundKeys.enumerated().compactMap { try match($1, slot: first + condition.keys.count + $0) }
        return (main, refund)
    }

    /// `inputs` with witnesses added for a swap into `outputs`, or a melt when `quoteID` is set: each locked input
    /// signs its secret (SIG_INPUTS), or the first input signs the whole transaction (SIG_ALL). Signatures already in
    /// a witness are kept (a co-signer's), HTLC preimages we know are added, and NUT-28's `p2pk_e` is removed as the
    /// spec asks. Plain inputs pass unchanged. Whether the result satisfies the mint is for
    /// `SpendingConditionVerifier` to say.
    public func sign(inputs: [Proof], outputs: [BlindedMessage], quoteID: String? = nil, now: Double) throws -> [Proof] {
        let conditions = try inputs.map { proof in try WellKnownSecret.parse(proof.secret).flatMap { try SpendingCondition($0) } }
        var signed = inputs
        for i in signed.indices { signed[i].p2pkEphemeralKey = nil }
        if let first = conditions.first, let condition = first, condition.signatureFlag == .sigAll {
            let message = Array(SpendingConditionVerifier.sigAllMessage(inputs: signed, outputs: outputs, quoteID: quoteID).utf8)
            signed[0].witness = try witness(signed[0].witness, condition: condition, ephemeral: inputs[0].p2pkEphemeralKey, message: message, now: now)
            for i in signed.indices.dropFirst() { signed[i].witness = nil }
            return signed
        }
        for (i, condition) in conditions.enumerated() {
            guard let condition else { continue }
            signed[i].witness = try witness(
                signed[i].witness, condition: condition, ephemeral: inputs[i].p2pkEphemeralKey, message: Array(signed[i].secret.utf8), now: now)
        }
        return signed
    }

    func witness(_ existing: String?, condition: SpendingCondition, ephemeral: Point?, message: [UInt8], now: Double) throws -> String? {
        var witness = (existing.flatMap { try? Witness(parsing: $0) }) ?? Witness()
        let digest = Array(SHA256.hash(data: message))
        let (main, refund) = try signers(for: condition, ephemeral: ephemeral)
        // Refund keys sign only once the refund pathway is open; a key that has signed already is not asked again.
        for key in main + (condition.isExpired(now: now) ? refund : []) {
            let pubkey = try key.publicPoint
            if witness.signatures.contains(where: { pubkey.verifySchnorr($0, message: digest) }) { continue }
            witness.signatures.append(try key.schnorrSign(message: digest))
        }
        if let lock = condition.hashLock, witness.preimage == nil,
            let preimage = preimages.first(where: { Array(SHA256.hash(data: $0)) == lock })
        {
            witness.preimage = Hex.encode(preimage)
        }
        if witness.signatures.isEmpty, witness.preimage == nil { return existing }
        return witness.serialized
    }
}
