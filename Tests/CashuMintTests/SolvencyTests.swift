import CashewSQLiteStore
import CashuCrypto
import CashuMint
import CashuProtocol
import FakeLightning
import Logging
import Testing

/// The solvency watchdog and the issuance cap.
@Suite("Solvency watchdog and max_balance")
struct SolvencyTests {
    @Test("a backend holding less than the e-cash outstanding pauses minting (20003); swaps go on; minting resumes when the balance recovers")
    func watchdog() async throws {
        let store = try await SQLiteMintStore.open(path: ":memory:", logger: Logger(label: "test"))
        try await store.migrate()
        let backend = ScriptedBackend()
        var settings = MintSettings()
        settings.solvencyToleranceMsat = 0
        let mint = try Mint(store: store, backend: backend, master: ExtendedPrivateKey(seed: Array("solvency".utf8)), settings: settings, logger: Logger(label: "test"))
        try await mint.start()
        let h = MintHarness(mint: mint, store: store, backend: backend.node)
        do {
            let proofs = try await h.mintProofs(1000)
            backend.balance.withLock { $0 = 1_000_000 }
            var check = try await mint.checkSolvency()
            #expect(check.solvent && check.liabilitiesMsat == 1_000_000 && check.owed[.sat] == 1000)
            // Someone drains the node.
            backend.balance.withLock { $0 = 999_999 }
            check = try await mint.checkSolvency()
            #expect(!check.solvent)
            await expectCashuError(.mintingDisabled) { try await mint.createMintQuote(MintQuoteBolt11Request(amount: 1, unit: .sat)) }
            // E-cash keeps working.
            _ = try await h.swap(proofs, into: Amount(1000).powersOfTwo)
            backend.balance.withLock { $0 = 2_000_000 }
            #expect(try await mint.checkSolvency().solvent)
            _ = try await mint.createMintQuote(MintQuoteBolt11Request(amount: 1, unit: .sat))
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    @Test("max_balance: a mint quote that would take the unit's outstanding e-cash above the cap is refused")
    func cap() async throws {
        var settings = MintSettings()
        settings.maxBalance = [.sat: 1500]
        try await MintHarness.with(settings: settings) { h in
            let proofs = try await h.mintProofs(1000)
            // The ledger's sums behind the cap are read at most every 2 s.
            try await Task.sleep(for: .milliseconds(2100))
            await expectCashuError(.notAllowed) { try await h.mint.createMintQuote(MintQuoteBolt11Request(amount: 501, unit: .sat)) }
            _ = try await h.mint.createMintQuote(MintQuoteBolt11Request(amount: 500, unit: .sat))
            // Redeemed e-cash no longer counts: melt 600 away, then 1000 more fits.
            let quote = try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: try externalInvoice(sat: 600), unit: .sat))
            _ = try await h.mint.melt(MeltRequest(quote: quote.quote, inputs: proofs))
            try await Task.sleep(for: .milliseconds(2100))
            _ = try await h.mint.createMintQuote(MintQuoteBolt11Request(amount: 1000, unit: .sat))
        }
    }
}
