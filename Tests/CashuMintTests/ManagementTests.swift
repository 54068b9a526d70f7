import CashewSQLiteStore
import CashuCrypto
import CashuMint
import CashuProtocol
import FakeLightning
import Foundation
import Logging
import Testing

/// What the management API changes, below the transport: settings overrides in the ledger (shared by every
/// process, kept across restarts, validated), keyset rotations that a restart keeps, and quote states that change
/// only along the ledger's rules.
@Suite("Management: settings overrides, rotations and operator quote states")
struct ManagementTests {
    static func mint(_ store: SQLiteMintStore, settings: MintSettings = MintSettings(), backend: any PaymentBackend = FakeLightningBackend(settings: .instant)) async throws -> Mint {
        let mint = try Mint(
            store: store, backend: backend, master: ExtendedPrivateKey(seed: Array("management".utf8)), settings: settings, logger: Logger(label: "test"))
        try await mint.start()
        return mint
    }

    @Test("a rotation with another fee and denominations is kept by the next start (it rotated back to the configured fee before)")
    func rotationSurvivesRestart() async throws {
        let store = try await SQLiteMintStore.open(path: ":memory:", logger: Logger(label: "test"))
        try await store.migrate()
        let first = try await Self.mint(store)
        let original = try #require(first.keysets.active(unit: .sat)).record
        let rotated = try await first.rotateKeyset(unit: .sat, inputFeePPK: 250, maxOrder: 32, finalExpiry: nil)
        #expect(rotated.inputFeePPK == 250 && rotated.amounts.count == 32 && rotated.id != original.id)

        // A restart (or another process) with the configured fee 0 and 64 denominations keeps the rotated keyset.
        let restarted = try await Self.mint(store)
        #expect(restarted.keysets.active(unit: .sat)?.record.id == rotated.id)
        #expect(try await store.keysets().count == 2)

        // Rotating without a fee keeps the unit's current one; rotating back to the configured values drops the override.
        let again = try await restarted.rotateKeyset(unit: .sat, inputFeePPK: nil, maxOrder: nil, finalExpiry: nil)
        #expect(again.inputFeePPK == 250 && again.amounts.count == 32)
        _ = try await restarted.rotateKeyset(unit: .sat, inputFeePPK: 0, maxOrder: 64, finalExpiry: nil)
        #expect(restarted.live.overrides.overrides.keysets == nil)

        // Out of range or for a unit not served: refused, nothing rotated.
        await #expect(throws: OperatorError.self) { try await restarted.rotateKeyset(unit: .sat, inputFeePPK: 100_001, maxOrder: nil, finalExpiry: nil) }
        await #expect(throws: OperatorError.self) { try await restarted.rotateKeyset(unit: .sat, inputFeePPK: nil, maxOrder: 65, finalExpiry: nil) }
        await #expect(throws: OperatorError.self) { try await restarted.rotateKeyset(unit: CurrencyUnit("usd"), inputFeePPK: nil, maxOrder: nil, finalExpiry: nil) }
        await #expect(throws: OperatorError.self) { try await restarted.rotateKeyset(unit: .sat, inputFeePPK: nil, maxOrder: nil, finalExpiry: 1) }
        #expect(try await store.keysets().count == 4)
        try await store.close()
    }

    @Test("overrides reach another mint on the ledger at its reload, win over its configuration, and are validated")
    func overridesAcrossProcesses() async throws {
        let store = try await SQLiteMintStore.open(path: ":memory:", logger: Logger(label: "test"))
        try await store.migrate()
        var configured = MintSettings()
        configured.info.motd = "from the file"
        configured.mintQuoteExpiry = 600
        let a = try await Self.mint(store, settings: configured)
        let b = try await Self.mint(store, settings: configured)
        try await a.updateSettings { o, _ in
            o.motd = "from the operator"
            o.mintMethods = [SettingsOverrides.methodKey(unit: .sat, method: "bolt11"): .init(minAmount: 10, maxAmount: 1000)]
            o.mintQuoteExpiry = 60
        }
        #expect(a.settings.info.motd == "from the operator")
        #expect(b.settings.info.motd == "from the file")
        try await b.reloadSettings()
        #expect(b.info(version: "t").motd == "from the operator")
        #expect(b.settings.mint(.sat).min == 10 && b.settings.mintQuoteExpiry == 60)
        await #expect(throws: CashuError.self) { _ = try await b.createMintQuote(MintQuoteBolt11Request(amount: 5, unit: .sat)) }
        let quote = try await b.createMintQuote(MintQuoteBolt11Request(amount: 50, unit: .sat))
        #expect((quote.expiry ?? 0) <= UInt64(Date.now.timeIntervalSince1970) + 61)

        // Invalid changes are refused whole, and nothing is saved.
        let version = a.live.overrides.version
        for change: (inout SettingsOverrides, MintSettings) -> Void in [
            { o, _ in o.mintQuoteExpiry = 0 },
            { o, _ in o.meltQuoteExpiry = 40_000_000 },
            { o, _ in o.feePercent = 100.5 },
            { o, _ in o.feePercent = .nan },
            { o, _ in o.mintMethods = ["sat/bolt11": .init(minAmount: 500, maxAmount: 100)] },
            { o, _ in o.meltMethods = ["sat/bolt11": .init(minAmount: 0)] },
            { o, _ in o.urls = ["ftp://mint.example"] },
            { o, _ in o.iconURL = "javascript:alert(1)" },
            { o, _ in o.contact = [MintInfo.Contact(method: "", info: "x")] },
            { o, _ in o.name = String(repeating: "n", count: 5000) },
        ] {
            await #expect(throws: OperatorError.self) { try await a.updateSettings(change) }
        }
        #expect(try await store.settingsOverrides()?.version == version)

        // An empty motd removes the configured one; resetting the override brings the file's back.
        try await a.updateSettings { o, _ in o.motd = "" }
        #expect(a.info(version: "t").motd == nil)
        try await a.updateSettings { o, _ in _ = o.reset("info.motd") }
        #expect(a.info(version: "t").motd == "from the file")
        try await store.close()
    }

    @Test("operator quote states: a melt the backend reports failed is not marked paid; one it reports paid settles with its fee")
    func meltStatesFollowTheBackend() async throws {
        let setup = try await MeltResendTests.Setup.make()
        let (quote, proofs) = try await setup.pendingMelt()
        setup.backend.set(status: .failed(reason: "no route"))
        await #expect(throws: OperatorError.self) { try await setup.mint.setMeltQuoteState(id: quote, to: .paid) }
        #expect(try await setup.store.meltQuote(id: quote)?.state == .pending)
        await #expect(throws: OperatorError.self) { try await setup.mint.setMeltQuoteState(id: quote, to: .unpaid) }
        let states = try await setup.h.mint.checkState(CheckStateRequest(ys: proofs.map { try $0.y })).states.map(\.state)
        #expect(states.allSatisfy { $0 == .pending })

        // The backend says paid with a 1-sat fee: settled with that fee, not the whole reserve.
        setup.backend.set(status: .paid(feeMsat: 1000, preimage: String(repeating: "ab", count: 32)))
        try await setup.mint.setMeltQuoteState(id: quote, to: .paid)
        let paid = try #require(try await setup.store.meltQuote(id: quote))
        #expect(paid.state == .paid && paid.feePaid == 1)
        await #expect(throws: OperatorError.self) { try await setup.mint.setMeltQuoteState(id: quote, to: .unpaid) }
        await #expect(throws: OperatorError.self) { try await setup.mint.setMeltQuoteState(id: "no-such-quote", to: .paid) }
        try await setup.store.close()
    }
}
