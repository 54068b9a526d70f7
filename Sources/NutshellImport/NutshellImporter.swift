import Bolt11
import CashewEncoding
import CashuCrypto
import CashuMint
import CashuProtocol
import Logging
import Secp256k1

/// Moves a stopped nutshell mint's ledger into a Cashew ledger: keysets (derived from the nutshell private key the
/// way nutshell derives them, so IDs and public keys come out identical), issued blind signatures (with DLEQ proofs
/// computed anew: nutshell 0.21 does not keep them), spent and pending proofs, and mint and melt quotes.
///
/// Everything is checked against the key before anything is written: each keyset re-derives to its ID, each
/// signature is `k·B_`, each proof's `Y` is `hash_to_curve(secret)`. The import is idempotent and resumable (rows
/// already in the ledger are compared, not written again), and it refuses a ledger that holds anything else.
public struct NutshellImporter: Sendable {
    public let store: any MintStore
    public let master: ExtendedPrivateKey
    public let logger: Logger
    /// Rows per ledger write.
    public var batchSize = 500

    public init(store: any MintStore, master: ExtendedPrivateKey, logger: Logger) {
        self.store = store
        self.master = master
        self.logger = logger
    }

    /// A refusal, with what to do about it.
    public struct ImportError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// What was moved (and what was already there).
    public struct Summary: Sendable, Hashable {
        public var keysets = 0
        public var signatures = 0
        public var spentProofs = 0
        public var pendingProofs = 0
        public var mintQuotes = 0
        public var meltQuotes = 0
        /// Rows already in the ledger (an import run before).
        public var alreadyPresent = 0
        /// The keyset fee and denominations per unit that the ledger's settings now keep (the nutshell mint's active
        /// keysets).
        public var keysetPolicies: [CurrencyUnit: KeysetPolicy] = [:]
    }

    /// The nutshell private key the ledger's keysets were derived from (all keysets share it); nil when none is stored
    /// in the clear.
    public static func privateKey(of ledger: NutshellLedger) throws -> String? {
        let keys = Set(ledger.keysets.compactMap(\.seed))
        guard keys.count <= 1 else { throw ImportError("the nutshell keysets were derived from \(keys.count) different private keys; give --private-key") }
        return keys.first
    }

    /// Checks that every keyset of `ledger` derives from `master` (before a seed is written from it).
    public static func checkKey(_ ledger: NutshellLedger, master: ExtendedPrivateKey) throws {
        let importer = NutshellImporter(store: NoStore(), master: master, logger: Logger(label: "check"))
        for k in ledger.keysets { _ = try importer.keysetRecord(k) }
    }

    public func run(_ ledger: NutshellLedger) async throws -> Summary {
        // Everything is derived and checked first; nothing is written until all of it holds.
        let records = try ledger.keysets.map(keysetRecord)
        let manager = KeysetManager(master: master)
        try manager.load(records)
        let units = Dictionary(records.map { ($0.id.hex, $0.unit) }, uniquingKeysWith: { a, _ in a })
        let issuedQuotes = Set(ledger.promises.compactMap(\.mintQuote))
        let mintQuotes = try ledger.mintQuotes.map { try mintQuote($0, issued: issuedQuotes.contains($0.quote)) }
        let meltQuotes = try ledger.meltQuotes.map(meltQuote)
        let signatures = try ledger.promises.map { try signature($0, manager: manager) }
        let spent = try ledger.spent.map { try proof($0, manager: manager) }
        let pendingMeltIDs = Set(meltQuotes.filter { $0.state == .pending }.map(\.id))
        if let orphan = ledger.pending.first(where: { $0.meltQuote.map { !pendingMeltIDs.contains($0) } ?? true }) {
            throw ImportError("pending proof \(orphan.y?.prefix(16) ?? "?")… belongs to no pending melt quote: settle it in nutshell first")
        }
        var pendingInputs = [String: [ProofRecord]]()
        for p in ledger.pending { pendingInputs[p.meltQuote!, default: []].append(try proof(p, manager: manager)) }
        var blankOutputs = [String: [BlindedMessage]]()
        for b in ledger.blankOutputs where pendingMeltIDs.contains(b.meltQuote) {
            guard let id = try? KeysetID(hex: b.keysetID), manager.entry(id) != nil, let point = try? Point(hex: b.blindedMessage) else {
                throw ImportError("a blank output of melt \(b.meltQuote.prefix(12)) names keyset \(b.keysetID.prefix(20)), which the nutshell mint does not have")
            }
            blankOutputs[b.meltQuote, default: []].append(BlindedMessage(amount: Amount(b.amount), id: id, blindedSecret: point))
        }
        let created = Dictionary(ledger.spent.compactMap { p in p.y.map { ($0.lowercased(), p.created) } }, uniquingKeysWith: { a, _ in a })
        try await refuseForeignData(records: records, ledger: ledger)

        var summary = Summary()
        // 1. Keysets; inactive ones first: adding an active one deactivates the unit's others.
        let existing = Dictionary(try await store.keysets().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for record in records.sorted(by: { ($0.active ? 1 : 0, $0.validFrom) < ($1.active ? 1 : 0, $1.validFrom) }) {
            if let present = existing[record.id] {
                guard present.derivationPath == record.derivationPath, present.amounts == record.amounts, present.unit == record.unit else {
                    throw ImportError("the ledger already has keyset \(record.id) with other data")
                }
                summary.alreadyPresent += 1
                continue
            }
            try await store.addKeyset(record)
            summary.keysets += 1
        }
        for record in records where record.active {
            summary.keysetPolicies[record.unit] = KeysetPolicy(inputFeePPK: record.inputFeePPK, denominations: record.amounts.count)
        }

        // 2. Quotes (before the proofs: pending proofs belong to a pending melt). One already there must be in the
        // same state: a quote that moved on (at Cashew since, or at nutshell restarted in between) is refused.
        for record in mintQuotes {
            if let present = try await store.mintQuote(id: record.id) {
                guard present.paymentHash == record.paymentHash, present.amount == record.amount, present.state == record.state else {
                    throw ImportError("the ledger already has mint quote \(record.id.prefix(40)) in another state or with other data")
                }
                summary.alreadyPresent += 1
                continue
            }
            try await store.addMintQuote(record)
            summary.mintQuotes += 1
        }
        var toBegin = [MeltQuoteRecord]()
        for var record in meltQuotes {
            let pending = record.state == .pending
            if let present = try await store.meltQuote(id: record.id) {
                let sameState = present.state == record.state || (pending && present.state == .unpaid)
                guard present.paymentHash == record.paymentHash, present.amount == record.amount, sameState else {
                    throw ImportError("the ledger already has melt quote \(record.id.prefix(40)) in another state or with other data")
                }
                summary.alreadyPresent += 1
                // Interrupted between adding the quote and holding its inputs: hold them now.
                if pending && present.state == .unpaid { toBegin.append(present) }
                continue
            }
            // A pending melt enters as UNPAID and becomes PENDING with its inputs below (beginMelt), as in Cashew.
            if pending { record.state = .unpaid }
            try await store.addMeltQuote(record)
            if pending { toBegin.append(record) }
            summary.meltQuotes += 1
        }

        // 3. Signatures and spent proofs, in operations of their own (kind swap, ID `nutshell-import-<unit>-<n>`).
        // Fees nutshell counted per keyset go to the first operation of their unit.
        var feesByUnit = [CurrencyUnit: UInt64]()
        for k in ledger.keysets { feesByUnit[CurrencyUnit(k.unit), default: 0] += k.feesPaid }
        var sequence = 0
        for unit in Set(units.values).sorted(by: { $0.rawValue < $1.rawValue }) {
            let unitSignatures = signatures.filter { units[$0.keysetID.hex] == unit }
            let unitProofs = spent.filter { units[$0.keysetID.hex] == unit }
            var i = 0, j = 0
            var fee = Amount(feesByUnit[unit] ?? 0)
            while i < unitSignatures.count || j < unitProofs.count || fee > 0 {
                let outputs = Array(unitSignatures[i..<min(i + batchSize, unitSignatures.count)])
                let inputs = Array(unitProofs[j..<min(j + batchSize, unitProofs.count)])
                i += outputs.count
                j += inputs.count
                let id = "nutshell-import-\(unit.rawValue)-\(sequence)"
                sequence += 1
                let (newInputs, newOutputs, present) = try await missing(inputs: inputs, outputs: outputs)
                summary.alreadyPresent += present
                if newInputs.isEmpty && newOutputs.isEmpty && (present > 0 || fee == 0) {
                    fee = 0
                    continue
                }
                try await store.swap(inputs: newInputs, outputs: newOutputs, operation: OperationRecord(
                    id: id, kind: .swap, quoteID: nil, unit: unit, fee: fee, createdAt: inputs.first.flatMap { created[$0.y] } ?? 0))
                fee = 0
                summary.signatures += newOutputs.count
                summary.spentProofs += newInputs.count
            }
        }

        // Quotes nutshell settled have no rows here: an operation of their own says so, for the auditor.
        for quote in mintQuotes where quote.state == .issued {
            try await store.recordOperation(OperationRecord(
                id: "nutshell-import-mint-\(quote.id)", kind: .mint, quoteID: quote.id, unit: quote.unit, fee: 0, createdAt: quote.issuedAt ?? quote.createdAt))
        }
        for quote in meltQuotes where quote.state == .paid {
            try await store.recordOperation(OperationRecord(
                id: "nutshell-import-melt-\(quote.id)", kind: .melt, quoteID: quote.id, unit: quote.unit, fee: 0, createdAt: quote.paidAt ?? quote.createdAt))
        }

        // 4. Pending melts hold their inputs (pending) and blank outputs again, as Cashew's own would.
        for quote in toBegin {
            let inputs = pendingInputs[quote.id] ?? []
            guard !inputs.isEmpty else {
                logger.warning("a pending nutshell melt has no pending proofs; imported as UNPAID", metadata: ["quote": "\(quote.id.prefix(12))"])
                continue
            }
            let total = inputs.reduce(Amount(0)) { $0.adding($1.amount) ?? $0 }
            let fee = Amount((inputs.reduce(UInt64(0)) { $0 + (manager.entry($1.keysetID)?.record.inputFeePPK ?? 0) } + 999) / 1000)
            try await store.beginMelt(
                quoteID: quote.id, inputs: inputs, blankOutputs: blankOutputs[quote.id] ?? [], inputAmount: total, inputFee: fee,
                operation: OperationRecord(id: "nutshell-import-melt-\(quote.id)", kind: .melt, quoteID: quote.id, unit: quote.unit, fee: fee, createdAt: quote.createdAt),
                paymentBackend: nil)
            summary.pendingProofs += inputs.count
        }
        return summary
    }

    /// Refuses a ledger that holds keysets nutshell did not have, or more than nutshell issued or redeemed: the
    /// ledger is not empty and not this nutshell mint's.
    func refuseForeignData(records: [KeysetRecord], ledger: NutshellLedger) async throws {
        let ids = Set(records.map(\.id))
        let own = try await store.keysets()
        if let foreign = own.first(where: { !ids.contains($0.id) }) {
            throw ImportError("the ledger already has keyset \(foreign.id), which the nutshell mint does not: import into an empty ledger")
        }
        let totals = try await store.ledgerTotals()
        for (id, t) in totals.keysets {
            let issued = ledger.promises.filter { $0.keysetID == id.hex }.count
            let redeemed = ledger.spent.filter { $0.keysetID == id.hex }.count + ledger.pending.filter { $0.keysetID == id.hex }.count
            guard t.issuedCount <= UInt64(issued), t.redeemedCount + t.pendingCount <= UInt64(redeemed) else {
                throw ImportError("the ledger has e-cash of keyset \(id) that the nutshell mint did not issue or redeem (it has been used since): refusing to import over it")
            }
        }
    }

    /// The rows of this batch not yet in the ledger; rows already there must be the same.
    func missing(inputs: [ProofRecord], outputs: [SignatureRecord]) async throws -> ([ProofRecord], [SignatureRecord], Int) {
        let states = inputs.isEmpty ? [:] : try await store.proofStates(ys: inputs.map(\.y))
        let signed = outputs.isEmpty ? [:] : try await store.signatures(blindedMessages: outputs.map(\.blindedMessage))
        var present = 0
        for p in inputs where states[p.y] != nil {
            guard states[p.y]?.state == .spent else { throw ImportError("proof \(p.y.prefix(16))… is in the ledger but not spent") }
            present += 1
        }
        for s in outputs {
            guard let there = signed[s.blindedMessage] else { continue }
            guard there.signature == s.signature, there.amount == s.amount, there.keysetID == s.keysetID else {
                throw ImportError("blinded message \(s.blindedMessage.prefix(16))… is in the ledger with another signature")
            }
            present += 1
        }
        return (inputs.filter { states[$0.y] == nil }, outputs.filter { signed[$0.blindedMessage] == nil }, present)
    }

    func keysetRecord(_ k: NutshellLedger.Keyset) throws -> KeysetRecord {
        guard k.id.count >= 16, let id = try? KeysetID(hex: k.id) else {
            throw ImportError("keyset \(k.id.prefix(20)) is a pre-0.15 nutshell keyset (base64 ID, another derivation), which Cashew cannot serve")
        }
        let path: DerivationPath
        do { path = try DerivationPath(parsing: k.derivationPath) } catch { throw ImportError("keyset \(k.id): bad derivation path \(k.derivationPath.prefix(40))") }
        let amounts = (k.amounts ?? MintKeyset.powersOfTwo().map(\.rawValue)).map { Amount($0) }
        let version: KeysetID.Version = k.id.hasPrefix("00") ? .v1 : .v2
        let keyset = try MintKeyset(
            master: master, path: path, unit: CurrencyUnit(k.unit), amounts: amounts, inputFeePPK: k.inputFeePPK, finalExpiry: k.finalExpiry,
            idVersion: version)
        guard keyset.id == id else {
            throw ImportError("keyset \(k.id) does not derive from this private key (got \(keyset.id)): wrong --private-key?")
        }
        return KeysetRecord(
            id: id, unit: CurrencyUnit(k.unit), active: k.active, inputFeePPK: k.inputFeePPK, finalExpiry: k.finalExpiry, derivationPath: path,
            derivationIndex: path.components.last?.index ?? 0, amounts: amounts, idVersion: version, validFrom: k.validFrom,
            publicKeys: amounts.compactMap { keyset.publicKeys[$0] })
    }

    func signature(_ p: NutshellLedger.Promise, manager: KeysetManager) throws -> SignatureRecord {
        guard let id = try? KeysetID(hex: p.keysetID), let key = manager.key(id, amount: Amount(p.amount)) else {
            throw ImportError("a signature of amount \(p.amount) names keyset \(p.keysetID.prefix(20)), which has no such key")
        }
        guard let b = try? Point(hex: p.blindedMessage), let c = try? Point(hex: p.signature), (try? b.multiplied(by: key.privateKey)) == c else {
            throw ImportError("nutshell's signature on \(p.blindedMessage.prefix(16))… is not the keyset's key times B_")
        }
        let dleq = try DLEQ.prove(key: key.privateKey, publicKey: key.publicKey, blindedMessage: b, blindSignature: c)
        return SignatureRecord(
            blindedMessage: b.hex, amount: Amount(p.amount), keysetID: id, signature: c.hex, dleqE: dleq.e.hex, dleqS: dleq.s.hex)
    }

    func proof(_ p: NutshellLedger.Proof, manager: KeysetManager) throws -> ProofRecord {
        guard let id = try? KeysetID(hex: p.keysetID), manager.entry(id) != nil else {
            throw ImportError("a proof names keyset \(p.keysetID.prefix(20)), which the nutshell mint does not have")
        }
        let y = try HashToCurve.point(forSecret: p.secret).hex
        if let stored = p.y, stored.lowercased() != y { throw ImportError("proof \(stored.prefix(16))…: Y is not hash_to_curve(secret)") }
        return ProofRecord(y: y, amount: Amount(p.amount), keysetID: id, secret: p.secret, signature: p.c, witness: p.witness)
    }

    /// The payment hash of a quote: its invoice's, or nutshell's checking ID when that is one.
    func paymentHash(request: String, checkingID: String) throws -> PaymentHash {
        if let invoice = try? Invoice(parsing: request) { return try PaymentHash(bytes: invoice.paymentHash) }
        if let bytes = Hex.decode(checkingID), bytes.count == 32 { return try PaymentHash(bytes: bytes) }
        throw ImportError("quote request is not a BOLT11 invoice, and its checking ID is not a payment hash")
    }

    /// `issued`: nutshell signed outputs for the quote. Nutshell marks a quote PENDING while it issues, and a crash
    /// between signing and ISSUED leaves it PENDING with its e-cash out: such a quote is ISSUED here, never PAID
    /// (it would be issued twice).
    func mintQuote(_ q: NutshellLedger.MintQuote, issued: Bool) throws -> MintQuoteRecord {
        let state: MintQuoteState = switch q.state.uppercased() {
        case "ISSUED": .issued
        case "PAID", "PENDING": issued ? .issued : .paid
        default: issued ? .issued : .unpaid
        }
        let invoice = try? Invoice(parsing: q.request)
        return MintQuoteRecord(
            id: q.quote, method: q.method, request: q.request, paymentHash: try paymentHash(request: q.request, checkingID: q.checkingID),
            amount: Amount(q.amount), unit: CurrencyUnit(q.unit), state: state, pubkey: q.pubkey,
            expiry: invoice.map { $0.timestamp + $0.expiry } ?? q.created + 3600, createdAt: q.created, paidAt: q.paid, issuedAt: q.issued)
    }

    func meltQuote(_ q: NutshellLedger.MeltQuote) throws -> MeltQuoteRecord {
        let state: MeltQuoteState = switch q.state.uppercased() {
        case "PAID": .paid
        case "PENDING": .pending
        default: .unpaid
        }
        let invoice = try? Invoice(parsing: q.request)
        let amountMsat = invoice?.amountMsat ?? (q.unit == "msat" ? q.amount : q.amount * 1000)
        return MeltQuoteRecord(
            id: q.quote, method: q.method, request: q.request, paymentHash: try paymentHash(request: q.request, checkingID: q.checkingID),
            unit: CurrencyUnit(q.unit), amount: Amount(q.amount), feeReserve: Amount(q.feeReserve), amountMsat: amountMsat, state: state,
            expiry: q.expiry ?? (q.created + 3600), paymentPreimage: q.preimage, feePaid: q.feePaid.map { Amount($0) }, createdAt: q.created,
            paidAt: q.paid)
    }
}

/// A store for `checkKey`, which derives keysets and writes nothing.
struct NoStore: MintStore {
    func migrate() async throws -> [String] { [] }
    func close() async throws {}
    func checkHealth() async throws {}
    func keysets() async throws -> [KeysetRecord] { [] }
    func addKeyset(_ keyset: KeysetRecord) async throws { throw unused }
    func deactivateKeysets(unit: CurrencyUnit) async throws { throw unused }
    func fillKeysetPublicKeys(_ keys: [KeysetID: [Point]]) async throws { throw unused }
    func recordOperation(_ operation: OperationRecord) async throws { throw unused }
    func closeEpoch(limit: Int, seal: @escaping @Sendable (EpochDraft) throws -> SealedEpoch) async throws -> SignedEpoch? { throw unused }
    func epochs(from number: UInt64, limit: Int) async throws -> [SignedEpoch] { throw unused }
    func swap(inputs: [ProofRecord], outputs: [SignatureRecord], operation: OperationRecord) async throws { throw unused }
    func addMintQuote(_ quote: MintQuoteRecord) async throws { throw unused }
    func mintQuote(id: String) async throws -> MintQuoteRecord? { nil }
    func mintQuote(paymentHash: PaymentHash) async throws -> MintQuoteRecord? { nil }
    func markMintQuotePaid(id: String, at time: UInt64) async throws -> Bool { throw unused }
    func issueMintQuote(id: String, outputs: [SignatureRecord], operation: OperationRecord) async throws { throw unused }
    func issueMintQuotes(ids: [String], outputs: [SignatureRecord], operation: OperationRecord) async throws { throw unused }
    func markMintQuoteUnpaid(id: String) async throws -> Bool { throw unused }
    func addMeltQuote(_ quote: MeltQuoteRecord) async throws { throw unused }
    func meltQuote(id: String) async throws -> MeltQuoteRecord? { nil }
    func beginMelt(
        quoteID: String, inputs: [ProofRecord], blankOutputs: [BlindedMessage], inputAmount: Amount, inputFee: Amount, operation: OperationRecord,
        paymentBackend: String?) async throws { throw unused }
    func completeMelt(quoteID: String, preimage: String?, feePaid: Amount, change: [SignatureRecord], at time: UInt64) async throws { throw unused }
    func completeInternalMelt(quoteID: String, mintQuoteID: String, change: [SignatureRecord], at time: UInt64) async throws { throw unused }
    func failMelt(quoteID: String, attempt: UInt64?) async throws { throw unused }
    func claimPaymentAttempt(quoteID: String, from expected: UInt64?, to time: UInt64) async throws -> Bool { throw unused }
    func pendingMeltQuotes() async throws -> [MeltQuoteRecord] { [] }
    func settingsOverrides() async throws -> (document: String, version: Int64)? { nil }
    func saveSettingsOverrides(_ document: String, expected: Int64, at time: UInt64) async throws -> Bool { throw unused }
    func proofStates(ys: [String]) async throws -> [String: (state: ProofState, witness: String?)] { [:] }
    func signatures(blindedMessages: [String]) async throws -> [String: SignatureRecord] { [:] }
    func meltChange(quoteID: String) async throws -> [String: SignatureRecord] { [:] }
    func auditTotals() async throws -> AuditTotals { AuditTotals() }
    func ledgerTotals() async throws -> AuditTotals { AuditTotals() }
    func pendingMeltCount() async throws -> Int { 0 }

    var unused: MintStoreError { MintStoreError(.unavailable, "not a ledger") }
}
