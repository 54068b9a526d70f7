import CashewEncoding
import Secp256k1

/// Checks the NUT-10 spending conditions of a swap's or melt's inputs (NUT-11 P2PK, NUT-14 HTLC), including the
/// SIG_ALL rules. Plain secrets and unknown kinds carry no condition, as NUT-10 says of kinds a mint does not know.
public enum SpendingConditionVerifier {
    /// Verifies every input's condition. `quoteID` is set for melts (it ends the SIG_ALL message).
    /// Throws `CashuError` 10001 with the reason when a condition is malformed or unmet.
    public static func verify(inputs: [Proof], outputs: [BlindedMessage], quoteID: String? = nil, now: Double) throws {
        var conditions = [SpendingCondition?]()
        conditions.reserveCapacity(inputs.count)
        for proof in inputs {
            do {
                conditions.append(try WellKnownSecret.parse(proof.secret).flatMap { try SpendingCondition($0) })
            } catch {
                throw CashuError(.proofVerificationFailed, "\(error)")
            }
        }
        if conditions.contains(where: { $0?.signatureFlag == .sigAll }) {
            // SIG_ALL: every input has the same kind, data and tags; the first input's witness signs everything.
            guard !conditions.contains(where: { $0 == nil }) else {
                throw CashuError(.proofVerificationFailed, "SIG_ALL transaction contains an ordinary secret.")
            }
            let first = conditions[0]!
            for case let c? in conditions {
                guard c.secret.kind == first.secret.kind, c.secret.data == first.secret.data, c.secret.tags == first.secret.tags else {
                    throw CashuError(.proofVerificationFailed, "not all secrets are equal.")
                }
            }
            let message = Array(sigAllMessage(inputs: inputs, outputs: outputs, quoteID: quoteID).utf8)
            try check(first, witness: inputs[0].witness, message: message, now: now)
            return
        }
        for (proof, condition) in zip(inputs, conditions) {
            guard let condition else { continue }
            try check(condition, witness: proof.witness, message: Array(proof.secret.utf8), now: now)
        }
    }

    static func check(_ condition: SpendingCondition, witness text: String?, message: [UInt8], now: Double) throws {
        var witness: Witness?
        if let text {
            do { witness = try Witness(parsing: text) } catch { throw CashuError(.proofVerificationFailed, "invalid witness: \(error)") }
        }
        do {
            try condition.verify(witness: witness, message: message, now: now)
        } catch {
            throw CashuError(.proofVerificationFailed, "\(error)")
        }
    }

    /// The SIG_ALL message: `secret_0 ‖ C_0 ‖ … ‖ amount_0 ‖ B_0 ‖ … [‖ quote_id]` as one string (NUT-11).
    public static func sigAllMessage(inputs: [Proof], outputs: [BlindedMessage], quoteID: String?) -> String {
        var message = ""
        for p in inputs {
            message += p.secret
            message += p.signature.hex
        }
        for o in outputs {
            message += String(o.amount.rawValue)
            message += o.blindedSecret.hex
        }
        if let quoteID { message += quoteID }
        return message
    }
}

extension SwapRequest {
    /// The NUT-11 SIG_ALL message of this swap.
    public var sigAllMessage: String { SpendingConditionVerifier.sigAllMessage(inputs: inputs, outputs: outputs, quoteID: nil) }
}

extension MeltRequest {
    /// The NUT-11 SIG_ALL message of this melt (blank outputs included, then the quote ID).
    public var sigAllMessage: String {
        SpendingConditionVerifier.sigAllMessage(inputs: inputs, outputs: outputs ?? [], quoteID: quote)
    }
}
