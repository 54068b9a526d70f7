import ArgumentParser
import CashuCrypto
import CashuMint
import CashuProtocol
import FakeLightning
import Foundation
import Logging
import Secp256k1

/// `cashew-bench mint-core`: the mint's own work per swap (validation, crypto, records), without HTTP and with a
/// ledger that records nothing, to see what the core costs apart from transport and database.
struct MintCoreBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mint-core", abstract: "Swaps per second through the mint core alone (no HTTP, no database).")

    @Option(help: "Number of swaps.") var swaps: Int = 5000

    func run() async throws {
        let store = NullStore()
        let backend = FakeLightningBackend(settings: FakeLightningSettings())
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let mint = try Mint(store: store, backend: backend, master: ExtendedPrivateKey(seed: SecureRandom.bytes(32)), settings: MintSettings(), logger: logger)
        try await mint.start()
        guard let entry = mint.keysets.active(unit: .sat), let key = mint.keysets.key(entry.record.id, amount: 1) else { return }
        // Valid proofs of 1 sat, made with the mint's key directly.
        var requests = [SwapRequest]()
        for _ in 0..<swaps {
            let inputs = try (0..<2).map { _ in
                let secret = CashewEncodingHex.random()
                return Proof(amount: 1, id: entry.record.id, secret: secret, signature: try HashToCurve.point(forSecret: secret).multiplied(by: key.privateKey))
            }
            requests.append(SwapRequest(inputs: inputs, outputs: try BenchOutputs(count: 2, keyset: entry.record.id).messages))
        }
        let clock = ContinuousClock()
        let start = clock.now
        for request in requests { _ = try await mint.swap(request) }
        let d = clock.now - start
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        print("mint_core_swap_2x2: \(Int((Double(swaps) / seconds).rounded())) ops/s (\(Int(seconds / Double(swaps) * 1e6)) us per swap)")
    }
}

enum CashewEncodingHex {
    static func random() -> String { SecureRandom.bytes(32).map { String(format: "%02x", $0) }.joined() }
}

/// A ledger that accepts every write and knows nothing: only for measuring the core.
final class NullStore: MintStore {
    let keysetRows = LockedKeysets()

    func checkHealth() async throws {}
    func migrate() async throws -> [String] { [] }
    func close() async throws {}
    func keysets() async throws -> [KeysetRecord] { keysetRows.get() }
    func addKeyset(_ keyset: KeysetRecord) async throws { keysetRows.add(keyset) }
    func deactivateKeysets(unit: CurrencyUnit) async throws {}
    func fillKeysetPublicKeys(_ keys: [KeysetID: [Point]]) async throws {}
    func recordOperation(_ operation: OperationRecord) async throws {}
    func closeEpoch(limit: Int, seal: @escaping @Sendable (EpochDraft) throws -> SealedEpoch) async throws -> SignedEpoch? { nil }
    func epochs(from number: UInt64, limit: Int) async throws -> [SignedEpoch] { [] }
    func swap(inputs: [ProofRecord], outputs: [SignatureRecord], operation: OperationRecord) async throws {}
    func addMintQuote(_ quote: MintQuoteRecord) async throws {}
    func mintQuote(id: String) async throws -> MintQuoteRecord? { nil }
    func mintQuote(paymentHash: PaymentHash) async throws -> MintQuoteRecord? { nil }
    func markMintQuotePaid(id: String, at time: UInt64) async throws -> Bool { false }
    func markMintQuoteUnpaid(id: String) async throws -> Bool { false }
    func settingsOverrides() async throws -> (document: String, version: Int64)? { nil }
    func ledgerTotals() async throws -> AuditTotals { AuditTotals() }
    func pendingMeltCount() async throws -> Int { 0 }
    func saveSettingsOverrides(_ document: String, expected: Int64, at time: UInt64) async throws -> Bool { false }
    func issueMintQuote(id: String, outputs: [SignatureRecord], operation: OperationRecord) async throws {}
    func issueMintQuotes(ids: [String], outputs: [SignatureRecord], operation: OperationRecord) async throws {}
    func addMeltQuote(_ quote: MeltQuoteRecord) async throws {}
    func meltQuote(id: String) async throws -> MeltQuoteRecord? { nil }
    func beginMelt(quoteID: String, inputs: [ProofRecord], blankOutputs: [BlindedMessage], inputAmount: Amount, inputFee: Amount, operation: OperationRecord, paymentBackend: String?) async throws {}
    func completeMelt(quoteID: String, preimage: String?, feePaid: Amount, change: [SignatureRecord], at time: UInt64) async throws {}
    func completeInternalMelt(quoteID: String, mintQuoteID: String, change: [SignatureRecord], at time: UInt64) async throws {}
    func failMelt(quoteID: String, attempt: UInt64?) async throws {}
    func claimPaymentAttempt(quoteID: String, from expected: UInt64?, to time: UInt64) async throws -> Bool { false }
    func pendingMeltQuotes() async throws -> [MeltQuoteRecord] { [] }
    func proofStates(ys: [String]) async throws -> [String: (state: ProofState, witness: String?)] { [:] }
    func signatures(blindedMessages: [String]) async throws -> [String: SignatureRecord] { [:] }
    func meltChange(quoteID: String) async throws -> [String: SignatureRecord] { [:] }
    func auditTotals() async throws -> AuditTotals { AuditTotals() }
}

final class LockedKeysets: @unchecked Sendable {
    private let lock = NSLock()
    private var rows = [KeysetRecord]()
    func get() -> [KeysetRecord] { lock.withLock { rows } }
    func add(_ k: KeysetRecord) { lock.withLock { rows = rows.map { var r = $0; if r.unit == k.unit { r.active = false }; return r } + [k] } }
}
