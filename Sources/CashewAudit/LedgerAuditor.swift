import CashewEncoding
import CashuCrypto
import CashuMint
import CashuProtocol
import Foundation
import Secp256k1

/// The ledger's auditor (Specs/audit.md). It reads one snapshot and never writes; without the seed it checks what
/// public data proves, with the seed everything. Each finding names its check, row and, where money is concerned,
/// the amount and who lost it.
public struct LedgerAuditor: Sendable {
    /// Findings listed per check; the rest are counted (`omitted`).
    public static let listedPerCheck = 1000

    public struct Options: Sendable {
        /// The mint's master key: the seed-dependent checks run when it is given.
        public var master: ExtendedPrivateKey?
        /// The time the lag checks measure from (unix seconds).
        public var now: UInt64
        /// How long after a keyset's deactivation its signatures are still accepted as in flight.
        public var keysetGrace: UInt64 = 60
        /// A melt PENDING longer than this is reported (`lag`).
        public var meltPendingLimit: UInt64 = 3600
        /// A mint quote PAID and not issued for longer than this is reported (`lag`, informational: the wallet
        /// has not claimed it).
        public var quotePaidLimit: UInt64 = 7 * 86400
        /// The mint's public key (the `pubkey` of `/v1/info`) that must sign every epoch. With the seed it is
        /// derived; without it, this pins it, else the first epoch's manifest names it.
        public var mintPubkey: Point?
        /// Commitments the auditor saved earlier (epoch number → hex): the ledger's must still be these.
        public var trustedCommitments: [UInt64: String] = [:]
        /// The mint's payment backends, for reconciliation and solvency (none: those checks are skipped).
        public var backends: [AuditBackend] = []
        /// Backends that could not be built from the settings, and why (reported as `info`: not checked).
        public var backendProblems: [(name: String, reason: String)] = []
        /// Incremental: operations in epochs up to this one were checked by an earlier run and are skipped (their
        /// epochs' chain, commitments and signatures are still checked, and every aggregate check runs).
        public var checkedThroughEpoch: UInt64?

        public init(master: ExtendedPrivateKey?, now: UInt64) {
            self.master = master
            self.now = now
        }
    }

    public let options: Options

    public init(options: Options) { self.options = options }

    /// Runs every check on `snapshot`.
    public func audit(_ snapshot: any LedgerAuditSnapshot) async throws -> LedgerAuditReport {
        let records = try await snapshot.keysets()
        let keys = AuditKeys(records: records, master: options.master)
        var tally = AuditTally()
        tally.findings += keys.findings
        tally.checked[.keysetKeys] = UInt64(records.count)

        let totals = try await snapshot.totals()
        let liabilities = AuditReport(totals: totals, keysets: records, generatedAt: options.now)
        checkEmergency(try await snapshot.amountCounts(), keys: keys, into: &tally)
        tally.checked[.runningTotals] = 1
        for mismatch in totals.runningMismatches {
            tally.add(.runningTotals, .error, "ledger_totals", mismatch, "the running totals differ from the sums of the tables (edited, or written past the triggers)")
        }
        let epochs = try await snapshot.epochs()
        if let since = options.checkedThroughEpoch {
            tally.merge(try await checkNewOperations(snapshot, keys: keys, after: since, lastClose: epochs.last?.closedAt))
        } else {
            tally.merge(try await checkOperations(snapshot, keys: keys, lastClose: epochs.last?.closedAt))
        }
        let key = epochKey(epochs)
        checkEpochs(epochs, key: key, leaves: tally.leaves, into: &tally)
        let liabilityEpochs = try await snapshot.liabilityEpochs()
        try await checkLiabilities(liabilityEpochs, snapshot: snapshot, keysets: records, key: key, lastLedgerEpoch: epochs.last?.epoch.epoch ?? 0, into: &tally)
        var summary = LedgerAuditReport.EpochSummary(
            count: UInt64(epochs.count), last: epochs.last?.epoch.epoch, lastCommitment: epochs.last?.epoch.commitment, commitments: [:], mintPubkey: key?.hex)
        for e in epochs { summary.commitments[String(e.epoch.epoch)] = e.epoch.commitment }
        var book = QuoteBook()
        try await checkMintQuotes(snapshot, book: &book, into: &tally)
        try await checkMeltQuotes(snapshot, book: &book, into: &tally)
        await checkBackends(book, liabilities: liabilities, into: &tally)
        var result = report(tally, liabilities: liabilities, epochs: summary)
        result.signedEpochs = epochs.map(\.epoch)
        result.liabilities = liabilityEpochs.last
        return result
    }

    /// The key every epoch must be signed with: the seed's, else the pinned one, else the first manifest's.
    func epochKey(_ epochs: [AuditEpochRow]) -> Point? {
        options.master.flatMap { try? $0.derive(Mint.identityPath).publicKey } ?? options.mintPubkey
            ?? epochs.first.flatMap { try? $0.epoch.decoded }.flatMap { try? Point(hex: $0.mintPubkey) }
    }

    func report(_ tally: AuditTally, liabilities: AuditReport, epochs: LedgerAuditReport.EpochSummary) -> LedgerAuditReport {
        let sorted = tally.findings.sorted { a, b in
            (a.severity, a.check.rawValue, a.table, a.key, a.detail) < (b.severity, b.check.rawValue, b.table, b.key, b.detail)
        }
        var listed = [AuditFinding]()
        var perCheck = [AuditCheck: UInt64]()
        for f in sorted {
            perCheck[f.check, default: 0] += 1
            if perCheck[f.check]! <= UInt64(Self.listedPerCheck) { listed.append(f) }
        }
        let checks = AuditCheck.allCases.map { check in
            let n = perCheck[check] ?? 0
            return LedgerAuditReport.CheckSummary(
                check: check, checked: tally.checked[check] ?? 0, findings: n, omitted: n > UInt64(Self.listedPerCheck) ? n - UInt64(Self.listedPerCheck) : 0,
                unverifiable: tally.unverifiable[check] ?? 0)
        }
        return LedgerAuditReport(
            generatedAt: options.now, mode: options.master == nil ? .public : .seed, keysets: liabilities.keysets, units: liabilities.units, checks: checks,
            findings: listed, epochs: epochs, checkedThroughEpoch: options.checkedThroughEpoch)
    }

    /// Per keyset and amount: more redeemed and pending than issued means proofs the mint never signed were
    /// accepted (forged, or signed with a leaked key).
    func checkEmergency(_ counts: [AuditAmountCount], keys: AuditKeys, into t: inout AuditTally) {
        t.checked[.emergency] = UInt64(counts.count)
        for c in counts.sorted(by: { ($0.keysetID, $0.amount?.rawValue ?? 0) < ($1.keysetID, $1.amount?.rawValue ?? 0) }) {
            let redeemed = UInt128(c.spent) + UInt128(c.pending)
            guard redeemed > UInt128(c.issued) else { continue }
            let excess = redeemed - UInt128(c.issued)
            let amount = c.amount.map { UInt128($0.rawValue) * excess }
            t.add(
                .emergency, .critical, "proofs", "\(c.keysetID)/\(c.amount.map { String($0.rawValue) } ?? "?")",
                "keyset \(c.keysetID), amount \(c.amount.map { String($0.rawValue) } ?? "?"): \(redeemed) redeemed or pending, \(c.issued) issued. Forged proofs or a leaked key: rotate this keyset now.",
                amount: amount, direction: .mintLost)
        }
    }

    /// Merges the operations, proofs and signatures scans (all in operation order) into one group per operation,
    /// and checks the groups in batches spread over the cores.
    func checkOperations(_ snapshot: any LedgerAuditSnapshot, keys: AuditKeys, lastClose: UInt64?) async throws -> AuditTally {
        var operations = PeekingPages(try await snapshot.operations(), key: \.id)
        var proofs = PeekingPages(try await snapshot.proofs(), key: \.operationID)
        var signatures = PeekingPages(try await snapshot.signatures(), key: \.operationID)
        let audit = OperationAudit(keys: keys, keysetGrace: options.keysetGrace)
        var tally = AuditTally()
        var batch = [OperationGroup]()
        var rowsInBatch = 0
        while true {
            let candidates = [try await operations.peekKey(), try await proofs.peekKey(), try await signatures.peekKey()].compactMap { $0 }
            guard let key = candidates.min(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) else { break }
            var group = OperationGroup(id: key)
            if try await operations.peekKey() == key { group.operation = try await operations.pop() }
            if let lastClose, let row = group.operation { checkOpen(row, lastClose: lastClose, into: &tally) }
            // A second operation row with the same ID cannot exist (primary key); rows are gathered per ID.
            while try await proofs.peekKey() == key { group.proofs.append(try await proofs.pop()!) }
            while try await signatures.peekKey() == key { group.signatures.append(try await signatures.pop()!) }
            rowsInBatch += group.proofs.count + group.signatures.count + 1
            batch.append(group)
            if rowsInBatch >= 16000 {
                tally.merge(await Self.check(batch, audit))
                batch.removeAll(keepingCapacity: true)
                rowsInBatch = 0
            }
        }
        tally.merge(await Self.check(batch, audit))
        return tally
    }

    /// The incremental pass: only operations in no epoch or in an epoch after `after`, with their rows.
    func checkNewOperations(_ snapshot: any LedgerAuditSnapshot, keys: AuditKeys, after: UInt64, lastClose: UInt64?) async throws -> AuditTally {
        let pages = try await snapshot.operations(after: after)
        let audit = OperationAudit(keys: keys, keysetGrace: options.keysetGrace)
        var tally = AuditTally()
        while case let page = try await pages.next(), !page.isEmpty {
            var batch = [OperationGroup]()
            for rows in page {
                if let lastClose { checkOpen(rows.operation, lastClose: lastClose, into: &tally) }
                batch.append(OperationGroup(id: rows.operation.id, operation: rows.operation, proofs: rows.proofs, signatures: rows.signatures))
            }
            tally.merge(await Self.check(batch, audit))
        }
        return tally
    }

    /// An operation outside every epoch must have settled after the last close: anything settled before was
    /// assigned to it. (A melt settles when paid; `keysetGrace` covers a write stamped just before a close and
    /// committed just after.)
    func checkOpen(_ row: AuditOperationRow, lastClose: UInt64, into t: inout AuditTally) {
        guard row.epoch == nil, let op = try? row.record.get() else { return }
        var settled = op.createdAt
        if op.kind == .melt {
            guard let quote = row.meltQuote.flatMap({ try? $0.get() }), quote.state == .paid else { return }
            settled = quote.paidAt ?? op.createdAt
        }
        if settled + options.keysetGrace < lastClose {
            t.add(.epochs, .critical, "operations", op.id, "settled at \(settled) but in no epoch, though an epoch closed at \(lastClose): inserted or back-dated after the fact")
        }
    }

    /// The chain of closed epochs: each commitment hashes its manifest and carries the mint's signature, each
    /// manifest names the previous commitment, and the operations assigned to each still give its count, root and sums.
    func checkEpochs(_ epochs: [AuditEpochRow], key: Point?, leaves: [(epoch: UInt64, digest: [UInt8])], into t: inout AuditTally) {
        t.checked[.epochs, default: 0] += UInt64(epochs.count)
        var accumulators = [UInt64: MerkleTree.Accumulator]()
        for leaf in leaves { accumulators[leaf.epoch, default: .init()].append(leafHash: MerkleTree.leafHash(leaf.digest)) }
        var previous = EpochManifest.genesis
        var expected: UInt64 = 1
        for row in epochs {
            let e = row.epoch, key_ = "\(e.epoch)"
            func fail(_ detail: String) { t.add(.epochs, .critical, "epochs", key_, detail) }
            if e.epoch != expected { fail("epoch \(expected) is missing: the chain jumps to \(e.epoch)") }
            expected = e.epoch + 1
            if let trusted = options.trustedCommitments[e.epoch], trusted != e.commitment {
                fail("the commitment is not the one saved earlier (\(trusted)): history was rewritten")
            }
            guard let key else { fail("no mint key to check the signature with"); continue }
            if let problem = e.problem(key: key) { fail(problem) }
            guard let manifest = try? e.decoded else { continue }
            if manifest.mintPubkey != key.hex { fail("signed for key \(manifest.mintPubkey), not the mint's \(key.hex)") }
            if manifest.previous != previous { fail("the manifest's previous commitment is not epoch \(e.epoch - 1)'s") }
            if row.previous != manifest.previous || row.root != manifest.operationsRoot || row.operations != manifest.operations {
                fail("the epoch's row does not match its manifest")
            }
            let accumulator = accumulators.removeValue(forKey: e.epoch) ?? .init()
            if let since = options.checkedThroughEpoch, e.epoch <= since {
                // Checked by an earlier run; its rows were not read this time.
            } else if accumulator.count != manifest.operations {
                fail("\(accumulator.count) operations are assigned to it, the manifest committed to \(manifest.operations): operations were deleted or added")
            } else if Hex.encode(accumulator.root) != manifest.operationsRoot {
                fail("its operations no longer give the committed root: an operation was edited, swapped or back-dated")
            }
            previous = e.commitment
        }
        for (epoch, accumulator) in accumulators {
            t.add(.epochs, .critical, "epochs", "\(epoch)", "\(accumulator.count) operations name epoch \(epoch), which was never closed")
        }
    }

    /// Checks a batch on every core.
    static func check(_ batch: [OperationGroup], _ audit: OperationAudit) async -> AuditTally {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        guard batch.count > 1, cores > 1 else {
            var t = AuditTally()
            var relations = KeyRelations()
            for g in batch { audit.check(g, into: &t, relations: &relations) }
            t.findings += relations.failures()
            return t
        }
        let size = (batch.count + cores - 1) / cores
        return await withTaskGroup(of: (Int, AuditTally).self) { group in
            for start in stride(from: 0, to: batch.count, by: size) {
                let part = batch[start..<min(start + size, batch.count)]
                group.addTask {
                    var t = AuditTally()
                    var relations = KeyRelations()
                    for g in part { audit.check(g, into: &t, relations: &relations) }
                    t.findings += relations.failures()
                    return (start, t)
                }
            }
            // In batch order: the epochs' leaves must stay in operation order.
            var parts = [(Int, AuditTally)]()
            for await part in group { parts.append(part) }
            var total = AuditTally()
            for (_, t) in parts.sorted(by: { $0.0 < $1.0 }) { total.merge(t) }
            return total
        }
    }

    func checkMintQuotes(_ snapshot: any LedgerAuditSnapshot, book: inout QuoteBook, into t: inout AuditTally) async throws {
        let pages = try await snapshot.mintQuotes()
        while case let page = try await pages.next(), !page.isEmpty {
            for row in page {
                t.checked[.operationRows, default: 0] += 1
                let quote: MintQuoteRecord
                switch row.record {
                case .success(let q): quote = q
                case .failure(let error):
                    t.add(.malformed, .critical, "mint_quotes", row.id, "the row does not parse: \(error)")
                    continue
                }
                if !options.backends.isEmpty {
                    if row.imported { book.imported += 1 } else { book.mint[quote.paymentHash.hex] = quote }
                }
                switch quote.state {
                case .issued where row.operations == 0:
                    t.add(.operationRows, .error, "mint_quotes", quote.id, "quote is ISSUED but no mint operation issued it")
                case .issued where row.operations > 1:
                    t.add(.operationRows, .critical, "mint_quotes", quote.id, "quote was issued by \(row.operations) operations",
                          amount: UInt128(quote.amount.rawValue) * UInt128(row.operations - 1), direction: .mintLost)
                case .paid:
                    let since = quote.paidAt ?? quote.createdAt
                    if options.now > since + options.quotePaidLimit {
                        t.add(.lag, .info, "mint_quotes", quote.id, "paid at \(since) and not issued since (the wallet has not claimed it)", amount: UInt128(quote.amount.rawValue))
                    }
                default: break
                }
            }
        }
    }

    func checkMeltQuotes(_ snapshot: any LedgerAuditSnapshot, book: inout QuoteBook, into t: inout AuditTally) async throws {
        let pages = try await snapshot.meltQuotes()
        while case let page = try await pages.next(), !page.isEmpty {
            for row in page {
                t.checked[.operationRows, default: 0] += 1
                let quote: MeltQuoteRecord
                switch row.record {
                case .success(let q): quote = q
                case .failure(let error):
                    t.add(.malformed, .critical, "melt_quotes", row.id, "the row does not parse: \(error)")
                    continue
                }
                if !options.backends.isEmpty {
                    if row.imported { book.imported += 1 } else { book.melt[quote.paymentHash.hex, default: []].append(quote) }
                }
                if row.operations == 0 {
                    t.add(.operationRows, .critical, "melt_quotes", quote.id, "quote is \(quote.state.rawValue) but no melt operation took inputs for it",
                          amount: UInt128(quote.amount.rawValue), direction: .mintLost)
                } else if row.operations > 1 {
                    t.add(.operationRows, .critical, "melt_quotes", quote.id, "\(row.operations) melt operations name this quote")
                }
                if quote.state == .pending {
                    t.checked[.lag, default: 0] += 1
                    if row.pendingProofs == 0 {
                        t.add(.lag, .error, "melt_quotes", quote.id, "melt is PENDING but holds no pending proofs")
                    }
                    let since = quote.paymentAttemptAt ?? quote.createdAt
                    if options.now > since + options.meltPendingLimit {
                        t.add(.lag, .warning, "melt_quotes", quote.id, "melt PENDING since \(since) (\((options.now - since) / 60) minutes): check the payment", amount: UInt128(quote.amount.rawValue))
                    }
                } else if row.pendingProofs > 0 {
                    t.add(.lag, .error, "melt_quotes", quote.id, "melt is PAID but still holds \(row.pendingProofs) pending proofs")
                }
            }
        }
        // Pending proofs whose melt is not pending are found per operation (OperationAudit.checkMelt) and here:
        // a pending proof of a swap, or with no melt quote, is reported by the proofs' own pass.
    }
}

/// A page stream with one row of look-ahead.
struct PeekingPages<Row: Sendable> {
    let pages: AuditPages<Row>
    let key: KeyPath<Row, String>
    var buffer: [Row] = []
    var index = 0
    var done = false

    init(_ pages: AuditPages<Row>, key: KeyPath<Row, String>) {
        self.pages = pages
        self.key = key
    }

    mutating func fill() async throws {
        guard index >= buffer.count, !done else { return }
        buffer = try await pages.next()
        index = 0
        if buffer.isEmpty { done = true }
    }

    mutating func peekKey() async throws -> String? {
        try await fill()
        return index < buffer.count ? buffer[index][keyPath: key] : nil
    }

    mutating func pop() async throws -> Row? {
        try await fill()
        guard index < buffer.count else { return nil }
        defer { index += 1 }
        return buffer[index]
    }
}
