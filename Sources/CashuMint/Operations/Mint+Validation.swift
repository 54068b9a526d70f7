import CashewEncoding
import Foundation
import CashuCrypto
import CashuProtocol
import Secp256k1

/// Checked inputs: their ledger records, sum, fee and unit.
struct VerifiedInputs: Sendable {
    var records: [ProofRecord]
    var total: Amount
    var fee: Amount
    var unit: CurrencyUnit
}

/// Checked outputs: their sum.
struct VerifiedOutputs: Sendable {
    var total: Amount
}

extension Mint {
    /// Count limits (11014, 11015).
    func checkCounts(inputs: Int, outputs: Int) throws {
        if inputs > settings.maxInputs { throw CashuError(.maxInputsExceeded, "more than \(settings.maxInputs) inputs") }
        if outputs > settings.maxOutputs { throw CashuError(.maxOutputsExceeded, "more than \(settings.maxOutputs) outputs") }
    }

    /// Checks inputs in order of cost: sizes, duplicates, keysets and units, amounts, then the signatures
    /// `k·hash_to_curve(secret) == C`. Nothing here touches the ledger.
    func verifyInputs(_ proofs: [Proof]) throws -> VerifiedInputs {
        guard !proofs.isEmpty else { throw CashuError(.transactionError, "no proofs provided.") }
        let now = clock.now()
        var unit: CurrencyUnit?
        var feePPK: [UInt64] = []
        feePPK.reserveCapacity(proofs.count)
        var secrets = Set<String>()
        secrets.reserveCapacity(proofs.count)
        for proof in proofs {
            if proof.secret.utf8.count > settings.maxSecretLength {
                throw CashuError(.notAllowed, "secret too long. max: \(settings.maxSecretLength)")
            }
            if let witness = proof.witness, witness.utf8.count > settings.maxWitnessLength {
                throw CashuError(.notAllowed, "input witness data too long. max: \(settings.maxWitnessLength)")
            }
            guard secrets.insert(proof.secret).inserted else { throw CashuError(.duplicateInputs) }
            guard let entry = keysets.entry(proof.id) else { throw CashuError.keysetNotFound(proof.id) }
            if let expiry = entry.record.finalExpiry, expiry > 0, now >= expiry {
                throw CashuError(.keysetExpired, "keyset \(proof.id) has expired")
            }
            if let unit, unit != entry.record.unit { throw CashuError(.multipleUnits, "inputs have different units.") }
            unit = entry.record.unit
            feePPK.append(entry.record.inputFeePPK)
        }
        guard let total = Amount.sum(proofs.map(\.amount)) else { throw CashuError(.amountOutsideLimit, "input amounts overflow") }
        guard let fee = Fees.inputFee(perInputPPK: feePPK) else { throw CashuError(.amountOutsideLimit, "input fees overflow") }
        var records = [ProofRecord]()
        records.reserveCapacity(proofs.count)
        for (position, proof) in proofs.enumerated() {
            guard let key = keysets.key(proof.id, amount: proof.amount) else {
                throw CashuError(.proofVerificationFailed, "keyset \(proof.id) has no key for amount \(proof.amount)")
            }
            let y: Point
            do { y = try HashToCurve.point(forSecret: proof.secret) } catch { throw CashuError(.proofVerificationFailed, "secret does not hash to the curve") }
            guard let expected = try? y.multiplied(by: key.privateKey), expected == proof.signature else {
                throw CashuError(.proofVerificationFailed)
            }
            records.append(ProofRecord(
                y: y.hex, amount: proof.amount, keysetID: proof.id, secret: proof.secret, signature: proof.signature.hex, witness: proof.witness,
                position: position))
        }
        return VerifiedInputs(records: records, total: total, fee: fee, unit: unit!)
    }

    /// Checks outputs: keysets known, active and of `unit`, amounts that are denominations, no `B_` twice.
    func verifyOutputs(_ outputs: [BlindedMessage], unit: CurrencyUnit?) throws -> VerifiedOutputs {
        var seen = Set<Point>()
        seen.reserveCapacity(outputs.count)
        for output in outputs {
            guard let entry = keysets.entry(output.id) else { throw CashuError.keysetNotFound(output.id) }
            guard entry.record.active else { throw CashuError(.keysetInactive) }
            if let unit, entry.record.unit != unit { throw CashuError(.inputOutputUnitMismatch) }
            guard entry.keyset.privateKeys[output.amount] != nil else {
                throw CashuError(.amountOutsideLimit, "output amount \(output.amount) is not a denomination of keyset \(output.id)")
            }
            guard seen.insert(output.blindedSecret).inserted else { throw CashuError(.duplicateOutputs) }
        }
        guard let total = Amount.sum(outputs.map(\.amount)) else { throw CashuError(.amountOutsideLimit, "output amounts overflow") }
        return VerifiedOutputs(total: total)
    }

    /// Signs outputs like `sign`, spreading a large batch over the cores: a 100-output mint would otherwise wait for
    /// 100 signatures with DLEQ proofs (several milliseconds) on one core. Small batches stay on the caller's task.
    func signConcurrently(_ outputs: [BlindedMessage]) async throws -> (signatures: [BlindSignature], records: [SignatureRecord]) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard outputs.count >= 32, cores > 1 else { return try sign(outputs) }
        let size = (outputs.count + cores - 1) / cores
        let parts = stride(from: 0, to: outputs.count, by: size).map { Array(outputs[$0..<min($0 + size, outputs.count)]) }
        return try await withThrowingTaskGroup(of: (Int, [BlindSignature], [SignatureRecord]).self) { group in
            for (i, part) in parts.enumerated() {
                group.addTask {
                    let (signatures, records) = try self.sign(part)
                    return (i, signatures, records)
                }
            }
            var results = [(signatures: [BlindSignature], records: [SignatureRecord])](repeating: ([], []), count: parts.count)
            for try await (i, signatures, records) in group { results[i] = (signatures, records) }
            var records = results.flatMap(\.records)
            for i in records.indices { records[i].position = i }
            return (results.flatMap(\.signatures), records)
        }
    }

    /// Signs outputs (already verified) with their keysets' keys, each with a DLEQ proof (NUT-12).
    func sign(_ outputs: [BlindedMessage]) throws -> (signatures: [BlindSignature], records: [SignatureRecord]) {
        var signatures = [BlindSignature]()
        var records = [SignatureRecord]()
        signatures.reserveCapacity(outputs.count)
        records.reserveCapacity(outputs.count)
        for (position, output) in outputs.enumerated() {
            guard let key = keysets.key(output.id, amount: output.amount) else { throw CashuError(.keysetUnknown) }
            let (c, proof) = try DLEQ.sign(output.blindedSecret, key: key.privateKey, publicKey: key.publicKey)
            signatures.append(BlindSignature(amount: output.amount, id: output.id, blindSignature: c, dleq: BlindSignatureDLEQ(proof)))
            records.append(SignatureRecord(
                blindedMessage: output.blindedSecret.hex, amount: output.amount, keysetID: output.id, signature: c.hex,
                dleqE: proof.e.hex, dleqS: proof.s.hex, position: position))
        }
        return (signatures, records)
    }

    /// The NUT error for a ledger conflict; an unreachable ledger is a `MintUnavailableError` (retryable, HTTP 503).
    func cashuError(_ error: MintStoreError) -> any Error {
        if error.code == .unavailable { return MintUnavailableError(error: CashuError(.transactionError, "ledger unavailable")) }
        return nutError(error)
    }

    func nutError(_ error: MintStoreError) -> CashuError {
        switch error.code {
        case .proofsSpent: CashuError(.proofsAlreadySpent)
        case .proofsPending: CashuError(.proofsPending)
        case .outputsSigned: CashuError(.outputsAlreadySigned)
        case .quoteNotFound: CashuError(.notAllowed, "quote not found")
        case .quoteState: CashuError(.transactionError, "quote state changed: \(error.message)")
        case .duplicate: CashuError(.transactionError, error.message)
        case .unavailable: CashuError(.transactionError, "ledger unavailable")
        }
    }

    /// When something lasting `lifetime` seconds from `now` expires; the end of time rather than an overflow.
    func expiry(_ lifetime: UInt64, from now: UInt64) -> UInt64 {
        let (end, overflow) = now.addingReportingOverflow(lifetime)
        return overflow ? .max : end
    }

    /// Runs a ledger write, turning its conflicts into NUT errors.
    func ledger<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as MintStoreError {
            if error.code == .unavailable { logger.error("ledger unavailable", metadata: ["error": "\(error.message)"]) }
            throw cashuError(error)
        }
    }
}

extension CashuError {
    /// An unknown keyset, in nutshell's words (12001).
    static func keysetNotFound(_ id: KeysetID) -> CashuError { CashuError(.keysetUnknown, "keyset not found: \(id)") }
}

extension Mint {
    /// Throws unavailable (HTTP 503) while the payment backend is known to be down, so that a quote or a melt is
    /// refused at once rather than after a timeout, with nothing reserved.
    func requireBackend(_ backend: any PaymentBackend) async throws {
        if let failure = await backend.health() {
            throw MintUnavailableError.lightning(failure)
        }
    }
}
