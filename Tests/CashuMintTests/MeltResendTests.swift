import CashewSQLiteStore
import CashuCrypto
import CashuMint
import CashuProtocol
import FakeLightning
import Logging
import Testing

/// A PENDING melt whose payment the backend has no record of: sent again once its attempt is old enough, by one
/// caller, through the backend that took it, and never by a queue worker whose attempt was taken over.
@Suite("Melts: sending again a payment the backend never saw")
struct MeltResendTests {
    struct Setup {
        let store: SQLiteMintStore
        let backend: ScriptedBackend
        let clock: ManualClock
        let mint: Mint
        let h: MintHarness

        static func make(resendAfter: Duration = .seconds(60)) async throws -> Setup {
            let store = try await SQLiteMintStore.open(path: ":memory:", logger: Logger(label: "test"))
            try await store.migrate()
            let backend = ScriptedBackend()
            let clock = ManualClock()
            var settings = MintSettings()
            settings.meltResendAfter = resendAfter
            let seed = Array("resend".utf8)
            let mint = try Mint(store: store, backend: backend, master: ExtendedPrivateKey(seed: seed), settings: settings, clock: clock.clock, logger: Logger(label: "test"))
            try await mint.start()
            let minting = try Mint(store: store, backend: backend.node, master: ExtendedPrivateKey(seed: seed), settings: MintSettings(), clock: clock.clock, logger: Logger(label: "test"))
            try await minting.start()
            return Setup(store: store, backend: backend, clock: clock, mint: mint, h: MintHarness(mint: minting, store: store, backend: backend.node))
        }

        func pendingMelt(preferAsync: Bool = false) async throws -> (quote: String, proofs: [Proof]) {
            let proofs = try await h.mintProofs(110)
            let quote = try await mint.createMeltQuote(MeltQuoteBolt11Request(request: try externalInvoice(sat: 100), unit: .sat))
            let response = try await mint.melt(MeltRequest(quote: quote.quote, inputs: proofs, preferAsync: preferAsync))
            #expect(response.state == .pending)
            return (quote.quote, proofs)
        }
    }

    @Test("sent again only after melt_resend_after, once however many callers race, then settled by the answer")
    func resend() async throws {
        let s = try await Setup.make()
        defer { Task { try? await s.store.close() } }
        s.backend.set(pay: .unknown, status: .unknown)
        let melt = try await s.pendingMelt()
        #expect(s.backend.payCalls == 1)
        // Too soon: a call may still be on its way.
        s.clock.advance(30)
        try await s.mint.recoverPendingMelts()
        #expect(s.backend.payCalls == 1)
        // Old enough: 10 processes' worth of recovery race; one sends.
        s.clock.advance(31)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<10 { group.addTask { try await s.mint.recoverPendingMelts() } }
            try await group.waitForAll()
        }
        #expect(s.backend.payCalls == 2)
        #expect(try await s.mint.meltQuote(id: melt.quote).state == .pending)
        // The next send is answered: PAID.
        s.backend.set(pay: .paid(feeMsat: 1000, preimage: "aa"))
        s.clock.advance(61)
        try await s.mint.recoverPendingMelts()
        #expect(s.backend.payCalls == 3)
        #expect(try await s.mint.meltQuote(id: melt.quote).state == .paid)
    }

    @Test("a wallet's quote check and start-up recovery never send a payment again (only the maintenance pass does)")
    func onlyMaintenanceResends() async throws {
        let s = try await Setup.make()
        defer { Task { try? await s.store.close() } }
        s.backend.set(pay: .unknown, status: .unknown)
        let melt = try await s.pendingMelt()
        s.clock.advance(3600)
        #expect(try await s.mint.meltQuote(id: melt.quote).state == .pending)
        try await s.mint.recoverPendingMelts(resend: false)
        #expect(s.backend.payCalls == 1)
        try await s.mint.recoverPendingMelts()
        #expect(s.backend.payCalls == 2)
    }

    @Test("the wait is never shorter than the backend's own pay timeout, whatever melt_resend_after says")
    func waitCoversPayTimeout() async throws {
        let s = try await Setup.make(resendAfter: .zero)
        defer { Task { try? await s.store.close() } }
        s.backend.set(pay: .unknown, status: .unknown)
        s.backend.timeout.withLock { $0 = .seconds(90) }
        _ = try await s.pendingMelt()
        s.clock.advance(60)
        try await s.mint.recoverPendingMelts()
        #expect(s.backend.payCalls == 1)
        s.clock.advance(40)
        try await s.mint.recoverPendingMelts()
        #expect(s.backend.payCalls == 2)
    }

    @Test("never sent again through a backend that did not take the payment (the operator switched backends)")
    func otherBackend() async throws {
        let s = try await Setup.make()
        defer { Task { try? await s.store.close() } }
        s.backend.set(pay: .unknown, status: .unknown)
        let melt = try await s.pendingMelt()
        // The mint restarts on another backend, which has never heard of the payment.
        let other = FakeLightningBackend(settings: .instant)
        var settings = MintSettings()
        settings.meltResendAfter = .seconds(60)
        let restarted = try Mint(
            store: s.store, backend: other, master: ExtendedPrivateKey(seed: Array("resend".utf8)), settings: settings, clock: s.clock.clock, logger: Logger(label: "test"))
        s.clock.advance(3600)
        try await restarted.recoverPendingMelts()
        let record = try #require(try await s.store.meltQuote(id: melt.quote))
        #expect(record.state == .pending && record.paymentBackend == "scripted")
        #expect(try await other.paymentStatus(record.paymentHash) == .unknown, "the other backend was asked to pay")
        #expect(try await s.mint.checkState(CheckStateRequest(ys: melt.proofs.map { try $0.y })).states.allSatisfy { $0.state == .pending })
    }

    @Test("a queued (prefer_async) melt whose attempt another process took over is not paid again by the queue")
    func queuedTakenOver() async throws {
        let s = try await Setup.make()
        defer { Task { try? await s.store.close() } }
        s.backend.set(pay: .paid(feeMsat: 0, preimage: nil), status: .unknown)
        let melt = try await s.pendingMelt(preferAsync: true)
        #expect(s.backend.payCalls == 0)
        // Recovery elsewhere claimed the attempt (the queue had waited too long) and is paying it.
        let record = try #require(try await s.store.meltQuote(id: melt.quote))
        #expect(try await s.store.claimPaymentAttempt(quoteID: melt.quote, from: record.paymentAttemptAt, to: (record.paymentAttemptAt ?? 0) + 500))
        s.mint.queuedMelts.finish()
        await s.mint.payQueuedMelts()
        #expect(s.backend.payCalls == 0)
        #expect(try await s.store.meltQuote(id: melt.quote)?.state == .pending)
    }

    @Test("a queued melt not taken over is claimed and paid by the queue")
    func queuedPaid() async throws {
        let s = try await Setup.make()
        defer { Task { try? await s.store.close() } }
        s.backend.set(pay: .paid(feeMsat: 0, preimage: nil), status: .unknown)
        let melt = try await s.pendingMelt(preferAsync: true)
        s.clock.advance(2)
        s.mint.queuedMelts.finish()
        await s.mint.payQueuedMelts()
        #expect(s.backend.payCalls == 1)
        #expect(try await s.store.meltQuote(id: melt.quote)?.state == .paid)
    }
}
