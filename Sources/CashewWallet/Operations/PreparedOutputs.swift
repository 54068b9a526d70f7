import CashuCrypto
import CashuProtocol
import Secp256k1

/// Outputs derived from the wallet's seed (NUT-13) for one keyset: what is sent to the mint and what unblinds the
/// answer. The counter range is reserved in the store before the outputs exist, so no index is used twice, and it
/// is written into the operation's journal entry so that an interrupted operation can be restored (NUT-09).
struct PreparedOutputs: Sendable {
    let keyset: WalletKeyset
    let counterStart: UInt32
    var messages: [BlindedMessage]
    var secrets: [String]
    var factors: [Scalar]
    /// NUT-28 ephemeral keys of locked outputs (nil for the wallet's own).
    var ephemeralKeys: [Point?]

    init(amounts: [Amount], keyset: WalletKeyset, counterStart: UInt32, seed: [UInt8]) throws {
        self.keyset = keyset
        self.counterStart = counterStart
        let derivation = try DeterministicSecrets(seed: seed, keysetID: keyset.id)
        messages = []
        secrets = []
        factors = []
        ephemeralKeys = amounts.map { _ in nil }
        for (i, amount) in amounts.enumerated() {
            let d = try derivation.derive(counter: UInt64(counterStart) + UInt64(i))
            messages.append(BlindedMessage(amount: amount, id: keyset.id, blindedSecret: try BDHKE.blind(secret: d.secret, r: d.blindingFactor)))
            secrets.append(d.secret)
            factors.append(d.blindingFactor)
        }
    }

    /// Outputs with the given secrets (NUT-10 locks, which cannot come from the seed) and random blinding factors,
    /// or the journaled ones when recovering. Their NUT-28 ephemeral keys go with the proofs.
    init(secrets: [String], amounts: [Amount], keyset: WalletKeyset, factors: [Scalar]? = nil, ephemeralKeys: [Point?]? = nil) throws {
        self.keyset = keyset
        counterStart = 0
        self.secrets = secrets
        self.factors = factors ?? secrets.map { _ in Scalar.random() }
        self.ephemeralKeys = ephemeralKeys ?? secrets.map { _ in nil }
        messages = try zip(zip(secrets, self.factors), amounts).map { pair, amount in
            BlindedMessage(amount: amount, id: keyset.id, blindedSecret: try BDHKE.blind(secret: pair.0, r: pair.1))
        }
    }

    /// Proofs from the mint's signatures, in output order. Every signature must carry a DLEQ proof that verifies
    /// (NUT-12): a mint that signs with a key other than the one it published could otherwise tag our coins.
    func proofs(_ signatures: [BlindSignature]) throws -> [Proof] {
        guard signatures.count == messages.count else {
            throw WalletError(.protocolViolation, "the mint returned \(signatures.count) signatures for \(messages.count) outputs")
        }
        return try zip(signatures, messages.indices).map { signature, i in
            let amount = messages[i].amount
            guard signature.amount == amount, signature.id == keyset.id, let key = keyset.keys[amount] else {
                throw WalletError(.protocolViolation, "the mint signed a different amount or keyset than asked")
            }
            guard let dleq = signature.dleq,
                DLEQ.verify(dleq.proof, publicKey: key, blindedMessage: messages[i].blindedSecret, blindSignature: signature.blindSignature)
            else {
                throw WalletError(.protocolViolation, "a signature's DLEQ proof is missing or does not verify (NUT-12)")
            }
            let c = try BDHKE.unblind(signature.blindSignature, r: factors[i], mintKey: key)
            return Proof(
                amount: amount, id: keyset.id, secret: secrets[i], signature: c,
                dleq: ProofDLEQ(e: dleq.e, s: dleq.s, r: factors[i]), p2pkEphemeralKey: ephemeralKeys[i])
        }
    }

    /// What the journal keeps to find these outputs again.
    var journal: OutputsJournal {
        OutputsJournal(keyset: keyset.id.hex, counterStart: counterStart, amounts: messages.map(\.amount.rawValue))
    }
}

/// Locked outputs (random secrets) as the journal keeps them: everything needed to restore them (NUT-09) and
/// build the token again.
struct LockedOutputsJournal: Codable, Sendable, Hashable {
    var keyset: String
    var amounts: [UInt64]
    var secrets: [String]
    var factors: [String]
    var ephemeralKeys: [String?]

    init(_ outputs: PreparedOutputs) {
        keyset = outputs.keyset.id.hex
        amounts = outputs.messages.map(\.amount.rawValue)
        secrets = outputs.secrets
        factors = outputs.factors.map(\.hex)
        ephemeralKeys = outputs.ephemeralKeys.map { $0?.hex }
    }
}

/// The part of an operation's journal entry that names its outputs (keyset and NUT-13 counter range).
struct OutputsJournal: Codable, Sendable, Hashable {
    var keyset: String
    var counterStart: UInt32
    var amounts: [UInt64]
}

extension PreparedOutputs {
    /// Proofs from NUT-08 change signatures: the mint signs the first blank outputs, in order, with amounts of its
    /// choosing; each signature is checked against the key of the amount it claims.
    func changeProofs(_ signatures: [BlindSignature]) throws -> [Proof] {
        guard signatures.count <= messages.count else { throw WalletError(.protocolViolation, "more change signatures than blank outputs") }
        return try subset(Array(signatures.indices), amounts: signatures.map(\.amount)).proofs(signatures)
    }

    /// The outputs at `indices`, in that order; with `amounts`, each takes the amount the mint says it signed
    /// (NUT-08 change, NUT-09 restore: the amount does not enter `B_`).
    func subset(_ indices: [Int], amounts: [Amount]? = nil) -> PreparedOutputs {
        var copy = self
        copy.messages = indices.map { messages[$0] }
        copy.secrets = indices.map { secrets[$0] }
        copy.factors = indices.map { factors[$0] }
        copy.ephemeralKeys = indices.map { ephemeralKeys[$0] }
        if let amounts {
            for (i, amount) in zip(copy.messages.indices, amounts) { copy.messages[i].amount = amount }
        }
        return copy
    }
}
