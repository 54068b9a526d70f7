import CashewEncoding
import CashewSQLiteStore
import CashuCrypto
import CashuMint
import CashuProtocol
import FakeLightning
import Logging
import Secp256k1
import TestSupport
import Synchronization
import Testing

typealias TestMint = Mint

/// A mint on an in-memory SQLite ledger with the fake backend, and the wallet-side steps tests need.
struct MintHarness {
    let mint: TestMint
    let store: SQLiteMintStore
    let backend: FakeLightningBackend

    static func make(
        settings: MintSettings = MintSettings(), fake: FakeLightningSettings = .instant, seed: String = "cashew test seed", clock: MintClock = .system
    ) async throws -> MintHarness {
        let store = try await SQLiteMintStore.open(path: ":memory:", logger: Logger(label: "test"))
        try await store.migrate()
        let backend = FakeLightningBackend(settings: fake)
        let mint = try Mint(
            store: store, backend: backend, master: ExtendedPrivateKey(seed: Array(seed.utf8)), settings: settings, clock: clock,
            logger: Logger(label: "test"))
        try await mint.start()
        return MintHarness(mint: mint, store: store, backend: backend)
    }

    /// Runs `body` with a fresh mint and closes its ledger afterwards, also when `body` throws.
    static func with(
        settings: MintSettings = MintSettings(), fake: FakeLightningSettings = .instant, seed: String = "cashew test seed",
        clock: MintClock = .system, _ body: (MintHarness) async throws -> Void
    ) async throws {
        let h = try await make(settings: settings, fake: fake, seed: seed, clock: clock)
        do {
            // The worker that pays `prefer_async` melts, as the mint's service runs it.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await h.mint.payQueuedMelts() }
                defer { h.mint.queuedMelts.finish() }
                try await body(h)
            }
        } catch {
            try? await h.store.close()
            throw error
        }
        try await h.store.close()
    }

    func activeKeyset(_ unit: CurrencyUnit = .sat) throws -> KeysetKeysEntry {
        try #require(mint.keys().keysets.first { $0.unit == unit })
    }

    typealias Outputs = BlindedOutputs

    static func outputs(_ amounts: [Amount], keyset: KeysetID) throws -> Outputs {
        try BlindedOutputs(amounts, keyset: keyset)
    }

    /// Unblinds signatures into proofs, checking each DLEQ proof as a wallet must.
    func proofs(_ signatures: [BlindSignature], _ outputs: Outputs) throws -> [Proof] {
        try outputs.proofs(signatures) { id, amount in try mint.keys(id: id).keysets.first?.keys[amount] }
    }

    /// Mints `amount` through a paid quote and returns the proofs.
    func mintProofs(_ amount: Amount, unit: CurrencyUnit = .sat, split: [Amount]? = nil) async throws -> [Proof] {
        let quote = try await mint.createMintQuote(MintQuoteBolt11Request(amount: amount, unit: unit))
        let outputs = try Self.outputs(split ?? amount.powersOfTwo, keyset: activeKeyset(unit).id)
        let response = try await mint.mint(MintRequest(quote: quote.quote, outputs: outputs.messages))
        try #require(response.signatures.count == outputs.messages.count, "one signature per output")
        return try proofs(response.signatures, outputs)
    }

    /// Swaps `proofs` into `amounts` (which must balance after fees).
    func swap(_ proofs: [Proof], into amounts: [Amount]) async throws -> [Proof] {
        let outputs = try Self.outputs(amounts, keyset: activeKeyset(unit(of: proofs)).id)
        let response = try await mint.swap(SwapRequest(inputs: proofs, outputs: outputs.messages))
        try #require(response.signatures.count == outputs.messages.count, "one signature per output")
        return try self.proofs(response.signatures, outputs)
    }

    func unit(of proofs: [Proof]) throws -> CurrencyUnit {
        let first = try #require(proofs.first)
        return try #require(mint.keysets.entry(first.id)).record.unit
    }
}

extension FakeLightningSettings {
    /// Invoices paid at once, payments settle at once.
    static var instant: FakeLightningSettings {
        var s = FakeLightningSettings()
        s.incomingDelay = 0
        return s
    }
}

/// Asserts that `body` throws a `CashuError` with `code`.
func expectCashuError<T>(_ code: CashuError.Code, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T) async {
    do {
        _ = try await body()
        Issue.record("expected error \(code.rawValue), got success. \(comment.map { "\($0)" } ?? "")", sourceLocation: sourceLocation)
    } catch let error as CashuError {
        #expect(error.code == code, "expected \(code.rawValue), got \(error.code.rawValue): \(error.detail). \(comment.map { "\($0)" } ?? "")", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected CashuError \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
    }
}

/// A clock the test moves by hand (to the fraction of a second).
final class ManualClock: Sendable {
    let time: Mutex<Double>
    init(at start: Double = MintClock.system.time()) { time = Mutex(start) }
    var clock: MintClock { MintClock(time: { [self] in self.time.withLock { $0 } }) }
    func advance(_ by: Double) { time.withLock { $0 += by } }
}
