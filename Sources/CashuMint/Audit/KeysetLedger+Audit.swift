import CashuCrypto
import Secp256k1

extension KeysetLedger {
    /// The audit report; with `verifySignatures`, every recorded proof is re-verified (`k·hash_to_curve(secret)
    /// == C` with the key of its keyset and amount), which reads the whole ledger.
    public func audit(verifySignatures: Bool) async throws -> AuditReport {
        let totals = try await store.auditTotals()
        let records = try await store.keysets()
        var check: AuditReport.SignatureCheck?
        if verifySignatures {
            var c = AuditReport.SignatureCheck(checked: 0, invalid: 0, invalidProofs: [])
            var cursor: String?
            while true {
                let page = try await store.proofs(after: cursor, limit: 1000)
                guard let last = page.last else { break }
                for (proof, _) in page {
                    if proof.signature.isEmpty {
                        // Recorded without `C` (nutshell keeps none for melt inputs): nothing to check against.
                        c.unverifiable += 1
                        if c.unverifiableProofs.count < 100 { c.unverifiableProofs.append(proof.y) }
                        continue
                    }
                    c.checked += 1
                    let valid: Bool
                    if let key = manager.key(proof.keysetID, amount: proof.amount), let signature = try? Point(hex: proof.signature),
                       let y = try? HashToCurve.point(forSecret: proof.secret), y.hex == proof.y
                    {
                        valid = (try? y.multiplied(by: key.privateKey)) == signature
                    } else {
                        valid = false
                    }
                    if !valid {
                        c.invalid += 1
                        if c.invalidProofs.count < 100 { c.invalidProofs.append(proof.y) }
                    }
                }
                cursor = last.record.y
            }
            check = c
        }
        return AuditReport(totals: totals, keysets: records, generatedAt: clock.now(), signatures: check)
    }
}
