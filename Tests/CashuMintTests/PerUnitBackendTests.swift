import CashewSQLiteStore
import CashuCrypto
import CashuMint
import CashuProtocol
import FakeLightning
import Logging
import Testing

/// One backend per unit (`unit_backends`): each unit's quotes, melts, recovery and solvency go to its own backend.
@Suite("One payment backend per unit")
struct PerUnitBackendTests {
    @Test("sat on one backend, usd on another: invoices, payments and the solvency check each go to the unit's backend")
    func routing() async throws {
        let store = try await SQLiteMintStore.open(path: ":memory:", logger: Logger(label: "test"))
        try await store.migrate()
        let satNode = ScriptedBackend()
        let usdNode = ScriptedBackend()
        for node in [satNode, usdNode] { node.set(pay: .paid(feeMsat: 0, preimage: nil), status: .paid(feeMsat: 0, preimage: nil)) }
        var settings = MintSettings()
        settings.units = [.sat, .usd]
        settings.solvencyToleranceMsat = 0
        let backends = PaymentBackends(default: satNode, byUnit: [.usd: usdNode])
        #expect(backends.all.count == 2)
        let mint = try Mint(store: store, backends: backends, master: ExtendedPrivateKey(seed: Array("per unit".utf8)), settings: settings, logger: Logger(label: "test"))
        try await mint.start()
        let h = MintHarness(mint: mint, store: store, backend: satNode.node)
        do {
            // Each mint quote's invoice comes from (and is checked at) the unit's node; the other node does not
            // know it, so a wrong route would leave the quote unpaid.
            _ = try await h.mintProofs(100)
            let usd = try await h.mintProofs(100, unit: .usd)
            #expect(satNode.invoices.withLock { $0.calls } == 1 && usdNode.invoices.withLock { $0.calls } == 1)

            let elsewhere = try await FakeLightningBackend(settings: .instant).createInvoice(amountMsat: 50_000, description: nil, expiry: 600)
            let quote = try await mint.createMeltQuote(MeltQuoteBolt11Request(request: elsewhere.bolt11, unit: .usd))
            #expect(try await mint.melt(MeltRequest(quote: quote.quote, inputs: usd)).state == .paid)
            #expect(usdNode.payCalls == 1 && satNode.payCalls == 0)

            // Each backend is held to the e-cash of its own units: the usd node drained pauses minting.
            _ = try await h.mintProofs(100, unit: .usd)
            satNode.balance.withLock { $0 = 1_000_000_000 }
            usdNode.balance.withLock { $0 = 0 }
            let check = try await mint.checkSolvency()
            #expect(check.backends.count == 2 && check.backends[0].solvent && !check.backends[1].solvent && !check.solvent)
            // 100 sat; 100 cents at 100,000 USD per BTC = 1,000 sat.
            #expect(check.backends[0].liabilitiesMsat == 100_000 && check.backends[1].liabilitiesMsat == 1_000_000, "\(check.backends)")
            await expectCashuError(.mintingDisabled) { try await mint.createMintQuote(MintQuoteBolt11Request(amount: 1, unit: .sat)) }
            usdNode.balance.withLock { $0 = 1_000_000_000 }
            #expect(try await mint.checkSolvency().solvent)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    @Test("a backend serving several units appears once; a unit it cannot take is refused at start")
    func oneInstance() async throws {
        let node = ScriptedBackend()
        #expect(PaymentBackends(default: node, byUnit: [.usd: node, .eur: node]).all.count == 1)
        let store = try await SQLiteMintStore.open(path: ":memory:", logger: Logger(label: "test"))
        try await store.migrate()
        var settings = MintSettings()
        settings.units = [.sat, CurrencyUnit("gbp")]
        let mint = try Mint(store: store, backends: PaymentBackends(node), master: ExtendedPrivateKey(seed: Array("gbp".utf8)), settings: settings, logger: Logger(label: "test"))
        await expectCashuError(.unitNotSupported) { try await mint.start() }
        try await store.close()
    }
}
