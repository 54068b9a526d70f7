import CashewEncoding
import CashuCrypto
import CashuMint
import CashuProtocol
import Secp256k1

/// One operation with its rows, as the merge of the three scans yields it.
struct OperationGroup: Sendable {
    let id: String
    var operation: AuditOperationRow?
    var proofs: [AuditProofRow] = []
    var signatures: [AuditSignatureRow] = []
}

/// What checking some groups found, merged across the cores.
struct AuditTally: Sendable {
    var findings = [AuditFinding]()
    var checked = [AuditCheck: UInt64]()
    var unverifiable = [AuditCheck: UInt64]()
    /// The digests recomputed from the rows of operations in closed epochs, in operation order.
    var leaves = [(epoch: UInt64, digest: [UInt8])]()

    mutating func merge(_ other: AuditTally) {
        findings += other.findings
        leaves += other.leaves
        for (k, v) in other.checked { checked[k, default: 0] += v }
        for (k, v) in other.unverifiable { unverifiable[k, default: 0] += v }
    }

    mutating func add(_ check: AuditCheck, _ severity: AuditFinding.Severity, _ table: String, _ key: String, _ detail: String,
                      amount: UInt128? = nil, direction: AuditFinding.Direction? = nil) {
        findings.append(AuditFinding(check: check, severity: severity, table: table, key: key, detail: detail, amount: amount, direction: direction))
    }
}

/// The per-row and per-operation checks (Specs/audit.md): signatures, proofs, spending conditions, conservation,
/// keyset validity and the operation's rows. Pure: the same groups always give the same findings.
struct OperationAudit: Sendable {
    let keys: AuditKeys
    /// Seconds a signature may carry after its keyset was deactivated: other mint processes learn of a rotation
    /// at their next keyset reload.
    let keysetGrace: UInt64

    /// Imported history (`cashew-mint import nutshell`) is one synthetic operation per unit: its rows are checked,
    /// its sums are not (they are a whole ledger's, not one request's).
    static func isImported(_ id: String) -> Bool { id.hasPrefix("nutshell-import-") }

    func check(_ group: OperationGroup, into t: inout AuditTally, relations: inout KeyRelations) {
        for proof in group.proofs { checkProof(proof, into: &t, relations: &relations) }
        for signature in group.signatures { checkSignature(signature, into: &t, relations: &relations) }
        checkOperation(group, into: &t)
        checkDigest(group, into: &t)
    }

    /// An operation of a closed epoch: its rows must still give the digest recorded when the epoch closed.
    func checkDigest(_ group: OperationGroup, into t: inout AuditTally) {
        guard let row = group.operation, let epoch = row.epoch else { return }
        t.checked[.epochs, default: 0] += 1
        let digest = Self.digest(group)
        t.leaves.append((epoch, digest))
        if row.digest != Hex.encode(digest) {
            t.add(.epochs, .critical, "operations", group.id, "the operation or its rows changed after epoch \(epoch) closed (its digest no longer matches)")
        }
    }

    /// The operation's digest recomputed from its rows as they are now.
    static func digest(_ group: OperationGroup) -> [UInt8] {
        let op = try? group.operation?.record.get()
        let inputs = group.proofs.compactMap { try? $0.record.get() }.map { OperationDigest.Input(y: $0.y, amount: $0.amount.rawValue, keysetID: $0.keysetID.hex) }
        let outputs = group.signatures.compactMap { try? $0.record.get() }.map {
            OperationDigest.Output(b: $0.blindedMessage, amount: $0.amount.rawValue, keysetID: $0.keysetID.hex, c: $0.signature)
        }
        return OperationDigest(
            id: group.id, kind: op?.kind.rawValue ?? "", unit: op?.unit.rawValue ?? "", quoteID: op?.quoteID, fee: op?.fee.rawValue ?? 0,
            createdAt: op?.createdAt ?? 0, inputs: inputs, outputs: outputs
        ).digest
    }

    func checkProof(_ row: AuditProofRow, into t: inout AuditTally, relations: inout KeyRelations) {
        t.checked[.redeemedProofs, default: 0] += 1
        let p: ProofRecord
        switch row.record {
        case .success(let record): p = record
        case .failure(let error):
            t.add(.malformed, .critical, "proofs", row.y, "the row does not parse: \(error)")
            return
        }
        guard let y = try? HashToCurve.point(forSecret: p.secret), y.hex == p.y else {
            t.add(.redeemedProofs, .critical, "proofs", row.y, "Y is not hash_to_curve(secret): a forged or edited proof", amount: UInt128(p.amount.rawValue), direction: .mintLost)
            return
        }
        guard let keyset = keys.byID[p.keysetID.hex] else {
            t.add(.redeemedProofs, .critical, "proofs", row.y, "the proof names keyset \(p.keysetID.hex), which the ledger does not have", amount: UInt128(p.amount.rawValue), direction: .mintLost)
            return
        }
        guard keyset.record.amounts.contains(p.amount) else {
            t.add(.redeemedProofs, .critical, "proofs", row.y, "amount \(p.amount.rawValue) is not a denomination of keyset \(p.keysetID.hex)", amount: UInt128(p.amount.rawValue), direction: .mintLost)
            return
        }
        if let expiry = keyset.record.finalExpiry, expiry > 0, row.createdAt > expiry {
            t.add(.keysetValidity, .error, "proofs", row.y, "spent at \(row.createdAt), after keyset \(p.keysetID.hex) expired at \(expiry)")
        }
        if let privateKeys = keyset.privateKeys {
            if p.signature.isEmpty {
                t.unverifiable[.redeemedProofs, default: 0] += 1
            } else {
                let forged = AuditFinding(
                    check: .redeemedProofs, severity: .critical, table: "proofs", key: row.y, detail: "C is not the keyset's key times Y: a forged proof",
                    amount: UInt128(p.amount.rawValue), direction: .mintLost)
                if let k = privateKeys[p.amount], let c = try? Point(hex: p.signature) {
                    // k·Y == C, checked with the batch's other relations.
                    relations.append(keyID: "\(p.keysetID.hex)/\(p.amount.rawValue)", key: k, point: y, result: c, finding: forged)
                } else {
                    t.findings.append(forged)
                }
            }
        }
    }

    func checkSignature(_ row: AuditSignatureRow, into t: inout AuditTally, relations: inout KeyRelations) {
        t.checked[.issuedSignatures, default: 0] += 1
        let s: SignatureRecord
        switch row.record {
        case .success(let record): s = record
        case .failure(let error):
            t.add(.malformed, .critical, "blind_signatures", row.b, "the row does not parse: \(error)")
            return
        }
        guard let keyset = keys.byID[s.keysetID.hex] else {
            t.add(.issuedSignatures, .critical, "blind_signatures", row.b, "signed by keyset \(s.keysetID.hex), which the ledger does not have", amount: UInt128(s.amount.rawValue), direction: .mintLost)
            return
        }
        guard let key = keyset.publicKeys[s.amount] else {
            if keyset.publicKeys.isEmpty {
                t.unverifiable[.issuedSignatures, default: 0] += 1
            } else {
                t.add(.issuedSignatures, .critical, "blind_signatures", row.b, "amount \(s.amount.rawValue) is not a denomination of keyset \(s.keysetID.hex)", amount: UInt128(s.amount.rawValue), direction: .mintLost)
            }
            return
        }
        let invalid = AuditFinding(
            check: .issuedSignatures, severity: .critical, table: "blind_signatures", key: row.b,
            detail: "the DLEQ proof does not verify against keyset \(s.keysetID.hex)'s key for \(s.amount.rawValue)", amount: UInt128(s.amount.rawValue),
            direction: .mintLost)
        var valid = false
        if let b = try? Point(hex: s.blindedMessage), b.hex == s.blindedMessage, let c = try? Point(hex: s.signature), let e = try? Scalar(hex: s.dleqE),
           let sc = try? Scalar(hex: s.dleqS)
        {
            let proof = DLEQProof(e: e, s: sc)
            // With the seed the signer's shortcut, its `C_ = k·B_` checked with the batch's other relations (same
            // verdict as the public check, two multiplications fewer); the recorded public key was checked against
            // the seed's (`keyset_keys`).
            if let k = keyset.signingKeys[s.amount] {
                valid = DLEQ.verify(proof, privateKey: k, publicKey: key, blindedMessage: b, blindSignature: c, assumingSigned: true)
                if valid { relations.append(keyID: "\(s.keysetID.hex)/\(s.amount.rawValue)", key: k, point: b, result: c, finding: invalid) }
            } else {
                valid = DLEQ.verify(proof, publicKey: key, blindedMessage: b, blindSignature: c)
            }
        }
        if !valid { t.findings.append(invalid) }
        let record = keyset.record
        if row.createdAt + keysetGrace < record.validFrom {
            t.add(.keysetValidity, .error, "blind_signatures", row.b, "signed at \(row.createdAt), before keyset \(record.id.hex) existed (\(record.validFrom))")
        }
        if let deactivated = record.deactivatedAt, row.createdAt > deactivated + keysetGrace {
            t.add(.keysetValidity, .error, "blind_signatures", row.b, "signed at \(row.createdAt) by keyset \(record.id.hex), deactivated at \(deactivated)")
        }
        if let expiry = record.finalExpiry, expiry > 0, row.createdAt > expiry {
            t.add(.keysetValidity, .error, "blind_signatures", row.b, "signed at \(row.createdAt) by keyset \(record.id.hex), expired at \(expiry)")
        }
    }

    func checkOperation(_ group: OperationGroup, into t: inout AuditTally) {
        let inputs = group.proofs.compactMap { try? $0.record.get() }
        let outputs = group.signatures.compactMap { try? $0.record.get() }
        let inSum = inputs.reduce(UInt128(0)) { $0 + UInt128($1.amount.rawValue) }
        let outSum = outputs.reduce(UInt128(0)) { $0 + UInt128($1.amount.rawValue) }
        guard let row = group.operation else {
            if !group.signatures.isEmpty {
                t.add(.operationRows, .critical, "blind_signatures", group.id, "\(group.signatures.count) signatures name operation \(group.id), which does not exist: issuance without a record", amount: outSum, direction: .mintLost)
            }
            if !group.proofs.isEmpty {
                t.add(.operationRows, .error, "proofs", group.id, "\(group.proofs.count) proofs name operation \(group.id), which does not exist")
            }
            return
        }
        let op: OperationRecord
        switch row.record {
        case .success(let record): op = record
        case .failure(let error):
            t.add(.malformed, .critical, "operations", group.id, "the row does not parse: \(error)")
            return
        }
        t.checked[.conservation, default: 0] += 1
        t.checked[.lag, default: 0] += UInt64(group.proofs.count)
        for p in group.proofs where p.state == .pending {
            if op.kind != .melt || p.meltQuoteID == nil || p.meltQuoteID != op.quoteID
                || (row.meltQuote.flatMap { try? $0.get() }).map({ $0.state != .pending }) ?? true
            {
                t.add(.lag, .error, "proofs", p.y, "pending, but no pending melt of its operation (\(op.kind.rawValue) \(op.id)) holds it")
            }
        }
        if Self.isImported(op.id) {
            t.unverifiable[.conservation, default: 0] += 1
            return
        }
        // Every row in the operation's unit.
        for id in Set(inputs.map(\.keysetID.hex) + outputs.map(\.keysetID.hex)) {
            if let unit = keys.byID[id]?.record.unit, unit != op.unit {
                t.add(.conservation, .error, "operations", op.id, "keyset \(id) is of unit \(unit.rawValue), the operation of \(op.unit.rawValue)")
            }
        }
        checkConditions(group, op: op, inputs: inputs, into: &t)
        switch op.kind {
        case .swap:
            if inputs.isEmpty {
                t.add(.operationRows, .critical, "operations", op.id, "a swap without inputs issued \(outSum)", amount: outSum, direction: .mintLost)
                return
            }
            checkFee(op, inputs: inputs, into: &t)
            let spent = outSum + UInt128(op.fee.rawValue)
            if spent > inSum {
                t.add(.conservation, .critical, "operations", op.id, "outputs \(outSum) + fee \(op.fee.rawValue) exceed inputs \(inSum)", amount: spent - inSum, direction: .mintLost)
            } else if spent < inSum {
                t.add(.conservation, .error, "operations", op.id, "outputs \(outSum) + fee \(op.fee.rawValue) fall short of inputs \(inSum)", amount: inSum - spent, direction: .usersLost)
            }
        case .mint:
            if !inputs.isEmpty { t.add(.operationRows, .error, "operations", op.id, "a mint operation with \(inputs.count) inputs") }
            if let batch = row.batchMintQuotes {
                checkBatchMint(op, batch, outSum: outSum, into: &t)
                return
            }
            guard let quote = row.mintQuote.flatMap({ try? $0.get() }) else {
                t.add(.operationRows, .critical, "operations", op.id, "mint operation for quote \(op.quoteID ?? "(none)"), which does not exist", amount: outSum, direction: .mintLost)
                return
            }
            if quote.state != .issued {
                t.add(.operationRows, .critical, "mint_quotes", quote.id, "quote is \(quote.state.rawValue) but has a mint operation (\(op.id))", amount: outSum, direction: .mintLost)
            }
            let due = UInt128(quote.amount.rawValue)
            if outSum > due {
                t.add(.conservation, .critical, "operations", op.id, "issued \(outSum) for a quote of \(due)", amount: outSum - due, direction: .mintLost)
            } else if outSum < due {
                t.add(.conservation, .error, "operations", op.id, "issued \(outSum) for a quote of \(due)", amount: due - outSum, direction: .usersLost)
            }
        case .melt:
            guard let quote = row.meltQuote.flatMap({ try? $0.get() }) else {
                t.add(.operationRows, .error, "operations", op.id, "melt operation for quote \(op.quoteID ?? "(none)"), which does not exist")
                return
            }
            checkFee(op, inputs: inputs, into: &t)
            checkMelt(op, quote: quote, group: group, inSum: inSum, outSum: outSum, into: &t)
        }
    }

    /// A NUT-29 batch: every listed quote exists, is ISSUED and of the operation's unit, and the outputs are worth
    /// exactly their total.
    func checkBatchMint(_ op: OperationRecord, _ batch: [Result<MintQuoteRecord, AuditMalformedError>?], outSum: UInt128, into t: inout AuditTally) {
        let listed = OperationRecord.batchQuotes(op.quoteID ?? "")
        var due: UInt128 = 0
        for (id, found) in zip(listed, batch) {
            guard let quote = found.flatMap({ try? $0.get() }) else {
                t.add(.operationRows, .critical, "operations", op.id, "batch mint operation lists quote \(id), which does not exist", amount: outSum, direction: .mintLost)
                return
            }
            if quote.state != .issued {
                t.add(.operationRows, .critical, "mint_quotes", quote.id, "quote is \(quote.state.rawValue) but a batch mint operation (\(op.id)) issued it", amount: UInt128(quote.amount.rawValue), direction: .mintLost)
            }
            if quote.unit != op.unit {
                t.add(.conservation, .error, "mint_quotes", quote.id, "quote is of unit \(quote.unit.rawValue), its batch operation \(op.id) of \(op.unit.rawValue)")
            }
            due += UInt128(quote.amount.rawValue)
        }
        if outSum > due {
            t.add(.conservation, .critical, "operations", op.id, "issued \(outSum) for a batch of quotes worth \(due)", amount: outSum - due, direction: .mintLost)
        } else if outSum < due {
            t.add(.conservation, .error, "operations", op.id, "issued \(outSum) for a batch of quotes worth \(due)", amount: due - outSum, direction: .usersLost)
        }
    }

    /// The recorded fee against the inputs' keysets: `ceil(Σ input_fee_ppk / 1000)` (NUT-02).
    func checkFee(_ op: OperationRecord, inputs: [ProofRecord], into t: inout AuditTally) {
        var ppk = [UInt64]()
        for p in inputs {
            guard let keyset = keys.byID[p.keysetID.hex] else { return }
            ppk.append(keyset.record.inputFeePPK)
        }
        guard let expected = Fees.inputFee(perInputPPK: ppk) else { return }
        if expected != op.fee {
            t.add(.conservation, .error, "operations", op.id, "recorded fee \(op.fee.rawValue), but the inputs' keysets charge \(expected.rawValue) (a keyset's fee changed?)",
                  amount: UInt128(expected.rawValue > op.fee.rawValue ? expected.rawValue - op.fee.rawValue : op.fee.rawValue - expected.rawValue),
                  direction: expected.rawValue > op.fee.rawValue ? .mintLost : .usersLost)
        }
    }

    func checkMelt(_ op: OperationRecord, quote: MeltQuoteRecord, group: OperationGroup, inSum: UInt128, outSum: UInt128, into t: inout AuditTally) {
        let amount = UInt128(quote.amount.rawValue), reserve = UInt128(quote.feeReserve.rawValue), fee = UInt128(op.fee.rawValue)
        switch quote.state {
        case .unpaid:
            t.add(.operationRows, .error, "melt_quotes", quote.id, "quote is UNPAID but has a melt operation (\(op.id))")
            return
        case .pending:
            if !group.signatures.isEmpty {
                t.add(.conservation, .critical, "operations", op.id, "a pending melt already issued change \(outSum)", amount: outSum, direction: .mintLost)
            }
        case .paid:
            break
        }
        if group.proofs.isEmpty {
            t.add(.operationRows, .critical, "operations", op.id, "a melt without inputs", amount: amount, direction: .mintLost)
            return
        }
        if inSum < amount + reserve + fee {
            t.add(.conservation, .critical, "operations", op.id, "inputs \(inSum) do not cover amount \(amount) + fee reserve \(reserve) + input fee \(fee)",
                  amount: amount + reserve + fee - inSum, direction: .mintLost)
        }
        if let recorded = quote.inputAmount, UInt128(recorded.rawValue) != inSum {
            t.add(.conservation, .error, "melt_quotes", quote.id, "the quote records inputs of \(recorded.rawValue), the ledger holds \(inSum)")
        }
        if let recorded = quote.inputFee, recorded != op.fee {
            t.add(.conservation, .error, "melt_quotes", quote.id, "the quote records an input fee of \(recorded.rawValue), the operation \(op.fee.rawValue)")
        }
        if quote.state == .paid {
            let feePaid = UInt128(quote.feePaid?.rawValue ?? 0)
            let paidOut = amount + min(feePaid, reserve) + fee
            let due = inSum > paidOut ? inSum - paidOut : 0
            if outSum > due {
                t.add(.conservation, .critical, "operations", op.id, "change \(outSum) exceeds inputs \(inSum) − amount \(amount) − fee paid \(feePaid) − input fee \(fee)",
                      amount: outSum - due, direction: .mintLost)
            }
        }
    }

    /// NUT-10 spending conditions of the inputs, as the mint verified them when it took them: at the time they were
    /// recorded, and for SIG_ALL over the inputs and outputs in request order (plus the quote for a melt).
    func checkConditions(_ group: OperationGroup, op: OperationRecord, inputs: [ProofRecord], into t: inout AuditTally) {
        guard !inputs.isEmpty, inputs.contains(where: { $0.secret.hasPrefix("[") }) else { return }
        t.checked[.spendingConditions, default: 0] += 1
        var proofs = [(Int?, Proof)]()
        for p in inputs {
            guard let c = try? Point(hex: p.signature) else { return }  // reported by redeemed_proofs (or imported)
            proofs.append((p.position, Proof(amount: p.amount, id: p.keysetID, secret: p.secret, signature: c, witness: p.witness)))
        }
        let sigAll = inputs.contains { input in
            ((try? WellKnownSecret.parse(input.secret)).flatMap { $0 }.flatMap { try? SpendingCondition($0) })?.signatureFlag == .sigAll
        }
        var outputs = [BlindedMessage]()
        if sigAll {
            if op.kind == .melt {
                outputs = group.operation?.meltQuote.flatMap { try? $0.get() }?.blankOutputs ?? []
            } else {
                let records = group.signatures.compactMap { try? $0.record.get() }
                guard records.allSatisfy({ $0.position != nil }) else {
                    t.unverifiable[.spendingConditions, default: 0] += 1
                    return
                }
                for s in records.sorted(by: { $0.position! < $1.position! }) {
                    guard let b = try? Point(hex: s.blindedMessage) else { return }
                    outputs.append(BlindedMessage(amount: s.amount, id: s.keysetID, blindedSecret: b))
                }
            }
            guard proofs.allSatisfy({ $0.0 != nil }) else {
                t.unverifiable[.spendingConditions, default: 0] += 1
                return
            }
            proofs.sort { $0.0! < $1.0! }
        }
        let spentAt = group.proofs.map(\.createdAt).min() ?? op.createdAt
        do {
            try SpendingConditionVerifier.verify(inputs: proofs.map(\.1), outputs: outputs, quoteID: op.kind == .melt ? op.quoteID : nil, now: Double(spentAt))
        } catch {
            t.add(.spendingConditions, .critical, "operations", op.id, "the inputs' witnesses do not satisfy their spending conditions: \(error)",
                  amount: inputs.reduce(UInt128(0)) { $0 + UInt128($1.amount.rawValue) }, direction: .mintLost)
        }
    }
}
