import CashewWallet
import CashuCrypto
import Foundation
import TestSupport
import Testing

/// A `cashew-mint` behind a `KillingProxy` that kills it once an armed request has been carried out, before its answer
/// reaches the wallet; two wallets (in-memory stores) reach the mint through the proxy. Everything is stopped and
/// removed afterwards.
final class MintKilledMidRequest: @unchecked Sendable {
    let first: CashewMintProcess
    let proxy: KillingProxy
    /// The mint started again by `restart()`.
    private(set) var restarted: CashewMintProcess?
    /// The mint's URL as the wallets use it (the proxy's).
    var url: String { "http://127.0.0.1:\(proxy.port)" }

    private init(first: CashewMintProcess, proxy: KillingProxy) {
        self.first = first
        self.proxy = proxy
    }

    /// Runs `body` with the fixture, its two wallets and their stores.
    static func with(_ body: (MintKilledMidRequest, [Wallet], [WalletStore]) async throws -> Void) async throws {
        let first = try await CashewMintProcess()
        let fixture = MintKilledMidRequest(first: first, proxy: try KillingProxy(target: first.port) { first.kill() })
        defer {
            fixture.proxy.stop()
            _ = fixture.restarted?.stop()
            _ = first.stop()
            first.removeData()
        }
        try await WalletMeltRestoreTests.withStores(2) { stores in
            let wallets = try stores.map { try Wallet(store: $0, mnemonic: try Mnemonic.generate(wordCount: 12)) }
            try await body(fixture, wallets, stores)
        }
    }

    struct Unexpected: Error, CustomStringConvertible { let description: String }

    /// Makes `request` with the answer to `POST path` lost: throws unless it failed with a lost connection (the
    /// wallet's own replays finding nobody there) and the mint is down.
    func loseAnswer(to path: String, _ request: () async throws -> Void) async throws {
        proxy.arm(path: path)
        do {
            try await request()
            throw Unexpected(description: "the answer should have been lost")
        } catch let error as MintClientError {
            guard case .transport = error.kind else { throw Unexpected(description: "expected a lost connection, got \(error)") }
        }
        #expect(!first.isRunning)
    }

    /// Starts the mint again on its port and data.
    func restart() async throws { restarted = try await first.restarted(port: first.port) }
}
