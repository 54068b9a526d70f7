import ArgumentParser
import CashewAudit
import CashewEncoding
import CashewSQLiteStore
import CashuCrypto
import CashuMint
import CashuProtocol
import FakeLightning
import Foundation
import Logging
import SQLiteNIO
import Secp256k1

/// `cashew-bench audit`: how fast the auditor checks a ledger. Builds a synthetic SQLite ledger (minted outputs,
/// then 2-in/2-out swaps spending them, all 1-sat, real signatures with DLEQ proofs, closed into epochs), then
/// times a full audit with the seed, and prints proofs/s and signatures/s beside the single-core crypto rates
/// measured in the same run.
struct AuditBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Time a full audit of a synthetic ledger: proofs/s and signatures/s checked.",
        discussion: """
            The ledger has --proofs redeemed proofs and twice as many signatures (each proof was minted, then \
            swapped into two new outputs). Building it costs one DLEQ signature per output, 20,000 outputs at a \
            time (memory stays flat); it is kept with --keep and reused with --ledger. The audit must report no \
            finding, or no figure is printed.
            """
    )

    @Option(help: "Redeemed proofs in the synthetic ledger.") var proofs = 100_000
    @Option(help: "Use (or, when missing, build and keep) the ledger at this SQLite path.") var ledger: String?
    @Flag(help: "Keep the ledger built in a temporary directory.") var keep = false

    func run() async throws {
        guard proofs >= 2, proofs % 2 == 0 else { throw ValidationError("--proofs must be an even number ≥ 2") }
        var logger = Logger(label: "cashew-bench")
        logger.logLevel = .warning
        let seedBytes = Array(SHA256Seed.fixed)
        let master = try ExtendedPrivateKey(seed: seedBytes)
        let path = ledger ?? FileManager.default.temporaryDirectory.appendingPathComponent("cashew-audit-bench-\(UUID().uuidString).sqlite3").path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists {
            let clock = ContinuousClock(), start = clock.now
            try await Self.build(path: path, proofs: proofs, master: master, logger: logger)
            print("built ledger: \(proofs) proofs, \(2 * proofs) signatures, \(path) (\(Self.format(clock.now - start)))")
        } else {
            print("ledger: \(path)")
        }
        defer { if ledger == nil && !keep { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } } }

        let store = try await SQLiteMintStore.open(path: path, logger: logger, readOnly: true)
        let options = LedgerAuditor.Options(master: master, now: UInt64(Date().timeIntervalSince1970))
        let clock = ContinuousClock(), start = clock.now
        let report = try await store.withAuditSnapshot { try await LedgerAuditor(options: options).audit($0) }
        let elapsed = clock.now - start
        try await store.close()
        guard report.findings.isEmpty else {
            throw ValidationError("the audit of the synthetic ledger reported \(report.findings.count) findings, e.g. \(report.findings[0].detail)")
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let checkedProofs = report.checks.first { $0.check == .redeemedProofs }?.checked ?? 0
        let checkedSignatures = report.checks.first { $0.check == .issuedSignatures }?.checked ?? 0
        print("audit (full, with the seed, \(ProcessInfo.processInfo.activeProcessorCount) cores): \(Self.format(elapsed))")
        print("proofs checked: \(Int(Double(checkedProofs) / seconds)) /s (\(checkedProofs))")
        print("signatures checked: \(Int(Double(checkedSignatures) / seconds)) /s (\(checkedSignatures))")
        print("epochs verified: \(report.epochs.count)")
        let perProof = seconds / Double(max(checkedProofs, 1))
        print("projected full audit of 10,000,000 proofs (and 20,000,000 signatures): \(Int((perProof * 1e7 / 60).rounded(.up))) min")

        // The crypto a proof and a signature need, single core, measured now.
        let fixture = try CryptoFixture(count: 256)
        let meter = RateMeter(budget: .milliseconds(400))
        let n = fixture.secrets.count
        let verify = try meter.rate("verify") { count in
            var ok = 0
            for i in 0..<count where BDHKE.verify(secret: fixture.secrets[i % n], signature: fixture.proofSignatures[i % n], key: fixture.key) { ok += 1 }
            return ok
        }
        let dleq = try meter.rate("dleq_verify") { count in
            var ok = 0
            for i in 0..<count {
                let j = i % n
                if DLEQ.verify(fixture.proofs[j], publicKey: fixture.publicKey, blindedMessage: fixture.blinded[j], blindSignature: fixture.blindSignatures[j]) { ok += 1 }
            }
            return ok
        }
        print("crypto, one core: verify \(Int(verify)) ops/s, dleq_verify \(Int(dleq)) ops/s")
    }

    static func format(_ d: Duration) -> String {
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return s < 120 ? String(format: "%.1f s", s) : String(format: "%.1f min", s / 60)
    }

    /// One synthetic signature: its secret, `B_ = Y` (blinding factor zero, so a proof's `C` is its `C_`), `C_`
    /// and the DLEQ proof.
    typealias Row = (secret: String, y: String, c: String, e: String, s: String)

    /// Rows `indices`, signed on every core.
    static func sign(_ indices: [Int], key: (privateKey: Scalar, publicKey: Point)) async throws -> [Row] {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let size = (indices.count + cores - 1) / cores
        return try await withThrowingTaskGroup(of: (Int, [Row]).self) { group in
            for start in stride(from: 0, to: indices.count, by: max(size, 1)) {
                let part = Array(indices[start..<min(start + size, indices.count)])
                group.addTask {
                    (start, try part.map { i in
                        let secret = "audit-bench-\(i)"
                        let y = try HashToCurve.point(forSecret: secret)
                        let (c, proof) = try DLEQ.sign(y, key: key.privateKey, publicKey: key.publicKey)
                        return (secret, y.hex, c.hex, proof.e.hex, proof.s.hex)
                    })
                }
            }
            var parts = [(Int, [Row])]()
            for try await part in group { parts.append(part) }
            return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }

    /// Writes the synthetic ledger: the schema by the store's migrations, the keyset by the store, the rows in bulk
    /// in one transaction on a connection of its own (the store's API writes one request at a time, with a sync),
    /// then the epochs by the mint's own closer. Rows are made and written 20,000 at a time, so that memory stays
    /// flat whatever the size (signature `i` is the mint's output `i`; the swap `k` spends outputs `2k` and `2k+1`
    /// and makes outputs `N+2k` and `N+2k+1`).
    static func build(path: String, proofs: Int, master: ExtendedPrivateKey, logger: Logger) async throws {
        let store = try await SQLiteMintStore.open(path: path, logger: logger)
        _ = try await store.migrate()
        let manager = KeysetManager(master: master)
        let record = try manager.makeKeyset(unit: .sat, index: 0, inputFeePPK: 0, denominations: 1, idVersion: .v2, finalExpiry: nil, now: 1_700_000_000)
        try await store.addKeyset(record)
        try manager.load([record])
        guard let key = manager.key(record.id, amount: 1) else { throw ValidationError("no key for amount 1") }
        try await store.close()

        let db = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        _ = try await db.query("PRAGMA synchronous = OFF")
        _ = try await db.query("PRAGMA cache_size = -262144")
        _ = try await db.query("BEGIN")
        let id = record.id.hex, t = 1_700_000_100
        func opID(_ n: Int) -> String { String(format: "00000000-0000-7000-8000-%012d", n) }
        func insertSignatures(_ values: [(row: Row, op: String, at: Int, position: Int)]) async throws {
            for chunk in values.chunks(of: 100) {
                var binds = [SQLiteData]()
                for v in chunk {
                    binds += [.text(v.row.y), .integer(1), .text(id), .text(v.row.c), .text(v.row.e), .text(v.row.s), .text(v.op), .integer(v.at), .integer(v.position)]
                }
                _ = try await db.query(
                    "INSERT INTO blind_signatures (b, amount, keyset_id, c, dleq_e, dleq_s, operation_id, created_at, position) VALUES "
                        + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", "), binds)
            }
        }
        let step = 20_000
        // The swaps' operation IDs follow the mints' (one mint operation per 1000 outputs).
        let mints = (proofs + 999) / 1000
        for start in stride(from: 0, to: proofs, by: step) {
            let end = min(start + step, proofs)
            let minted = try await sign(Array(start..<end), key: key)
            let made = try await sign(Array((proofs + start)..<(proofs + end)), key: key)
            // Mint: outputs `start..<end`, 1000 per quote.
            var mintRows = [(row: Row, op: String, at: Int, position: Int)]()
            for i in start..<end {
                let q = i / 1000
                if i % 1000 == 0 {
                    let quote = "bench-quote-\(i)"
                    _ = try await db.query(
                        "INSERT INTO mint_quotes (id, method, request, payment_hash, amount, unit, state, pubkey, expiry, created_at, paid_at, issued_at) VALUES (?, 'bolt11', 'bench', ?, ?, 'sat', 'ISSUED', NULL, ?, ?, ?, ?)",
                        [.text(quote), .text(Hex.encode(SecureRandom.bytes(32))), .integer(min(i + 1000, proofs) - i), .integer(t + 3600), .integer(t), .integer(t), .integer(t)])
                    _ = try await db.query(
                        "INSERT INTO operations (id, kind, quote_id, unit, fee, created_at) VALUES (?, 'mint', ?, 'sat', 0, ?)",
                        [.text(opID(q + 1)), .text(quote), .integer(t)])
                }
                mintRows.append((minted[i - start], opID(q + 1), t, i % 1000))
            }
            try await insertSignatures(mintRows)
            // Swaps `start/2 ..< end/2`: 50 per statement of each kind.
            let swaps = Array((start / 2)..<(end / 2))
            for chunk in swaps.chunks(of: 50) {
                var ops = [SQLiteData](), inputs = [SQLiteData]()
                var outputs = [(row: Row, op: String, at: Int, position: Int)]()
                for k in chunk {
                    let op = opID(mints + k + 1)
                    ops += [.text(op), .integer(t + 1)]
                    for j in 0..<2 {
                        let p = minted[2 * k + j - start], o = made[2 * k + j - start]
                        inputs += [.text(p.y), .integer(1), .text(id), .text(p.secret), .text(p.c), .null, .text("spent"), .text(op), .null, .integer(t + 1), .integer(j)]
                        outputs.append((o, op, t + 1, j))
                    }
                }
                _ = try await db.query(
                    "INSERT INTO operations (id, kind, quote_id, unit, fee, created_at) VALUES "
                        + Array(repeating: "(?, 'swap', NULL, 'sat', 0, ?)", count: chunk.count).joined(separator: ", "), ops)
                _ = try await db.query(
                    "INSERT INTO proofs (y, amount, keyset_id, secret, c, witness, state, operation_id, melt_quote_id, created_at, position) VALUES "
                        + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: 2 * chunk.count).joined(separator: ", "), inputs)
                try await insertSignatures(outputs)
            }
        }
        _ = try await db.query("COMMIT")
        try await db.close()

        // Epochs, by the mint's closer.
        let ledger = try await SQLiteMintStore.open(path: path, logger: logger)
        let mint = try Mint(store: ledger, backend: FakeLightningBackend(settings: FakeLightningSettings()), master: master, settings: MintSettings(), logger: logger)
        try await mint.closeEpochs()
        try await ledger.close()
    }
}

/// A fixed seed: the benchmark's ledger is reproducible and reusable across runs.
enum SHA256Seed {
    static let fixed: [UInt8] = Array(repeating: 7, count: 32)
}
