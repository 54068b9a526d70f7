import CashuCrypto
import CashuMint
import CashuProtocol
import Secp256k1

/// The keys the auditor checks against, per keyset: the public keys the ledger records (what an outside auditor
/// has), and with the seed the private keys derived from it. Building them is the `keyset_keys` check.
struct AuditKeys: Sendable {
    struct Keyset: Sendable {
        let record: KeysetRecord
        /// Public keys by amount: the recorded ones when they are sound, else (with the seed) the derived ones.
        let publicKeys: [Amount: Point]
        /// Private keys by amount (with the seed only).
        let privateKeys: [Amount: Scalar]?
        /// The private keys whose public key is the one signatures are checked against (with the seed): the DLEQ
        /// check may take the signer's shortcut with these.
        let signingKeys: [Amount: Scalar]
    }

    let byID: [String: Keyset]
    let findings: [AuditFinding]

    init(records: [KeysetRecord], master: ExtendedPrivateKey?) {
        var byID = [String: Keyset]()
        var findings = [AuditFinding]()
        func finding(_ record: KeysetRecord, _ severity: AuditFinding.Severity, _ detail: String) {
            findings.append(AuditFinding(check: .keysetKeys, severity: severity, table: "keysets", key: record.id.hex, detail: detail))
        }
        for record in records {
            var publicKeys = [Amount: Point]()
            if let keys = record.publicKeys {
                if keys.count == record.amounts.count {
                    publicKeys = Dictionary(uniqueKeysWithValues: zip(record.amounts, keys))
                    let keysetKeys = KeysetKeys(publicKeys)
                    let derived: KeysetID =
                        record.idVersion == .v1
                        ? .v1(keys: keysetKeys)
                        : .v2(keys: keysetKeys, unit: record.unit, inputFeePPK: record.inputFeePPK, finalExpiry: record.finalExpiry)
                    if derived != record.id {
                        finding(record, .critical, "the keyset ID does not re-derive from its recorded public keys, unit, fee and expiry (got \(derived.hex))")
                    }
                } else {
                    finding(record, .critical, "the recorded public keys do not parse or do not match the keyset's \(record.amounts.count) amounts")
                    publicKeys = [:]
                }
            } else {
                finding(record, .warning, "the keyset's public keys are not recorded (the mint records them at its next start); its signatures are checked with the seed only")
            }
            var privateKeys: [Amount: Scalar]?
            if let master {
                do {
                    let keyset = try MintKeyset(
                        master: master, path: record.derivationPath, unit: record.unit, amounts: record.amounts, inputFeePPK: record.inputFeePPK,
                        finalExpiry: record.finalExpiry, idVersion: record.idVersion)
                    if keyset.id != record.id {
                        finding(record, .critical, "the keyset does not derive from the seed with its recorded path, amounts, fee and expiry (got \(keyset.id.hex))")
                    }
                    let derivedPublic = keyset.publicKeys.keys
                    if record.publicKeys != nil, !publicKeys.isEmpty, derivedPublic != publicKeys {
                        finding(record, .critical, "the recorded public keys are not the seed's keys for this keyset")
                    }
                    if publicKeys.isEmpty { publicKeys = derivedPublic }
                    privateKeys = keyset.privateKeys
                } catch {
                    finding(record, .critical, "the keyset's keys cannot be derived from the seed: \(error)")
                }
            }
            var signingKeys = [Amount: Scalar]()
            for (amount, key) in privateKeys ?? [:] where (try? key.publicPoint) == publicKeys[amount] { signingKeys[amount] = key }
            byID[record.id.hex] = Keyset(record: record, publicKeys: publicKeys, privateKeys: privateKeys, signingKeys: signingKeys)
        }
        self.byID = byID
        self.findings = findings
    }
}
