import Bolt11
import CashewEncoding
import CashewSQLiteStore
import CashuCrypto
import CashuMint
import CashuProtocol
import Crypto
import FakeLightning
import Foundation
import Logging
import Secp256k1
import Testing

/// A signed invoice from some other node.
func externalInvoice(sat: UInt64) throws -> String {
    try Invoice.Builder(
        amountMsat: sat * 1000, paymentHash: Array(SHA256.hash(data: SecureRandom.bytes(32))), paymentSecret: SecureRandom.bytes(32),
        description: "coffee"
    ).sign(with: .random()).bolt11
}

@Suite("Mint core: melting")
struct MeltTests {
    /// Blank outputs for a fee reserve (NUT-08).
    static func blank(_ h: MintHarness, reserve: Amount) throws -> MintHarness.Outputs {
        try MintHarness.outputs(Array(repeating: Amount(1), count: MeltRequest.blankOutputCount(feeReserve: reserve)), keyset: h.activeKeyset().id)
    }

    @Test("melt pays the invoice and returns the overpaid fee as change (NUT-08)")
    func meltWithChange() async throws {
        try await MintHarness.with { h in
            let proofs = try await h.mintProofs(1020)
            let quote = try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: try externalInvoice(sat: 1000), unit: .sat))
            #expect(quote.amount == 1000 && quote.feeReserve == 20 && quote.state == .unpaid)  // max(2%, 2000 msat)
            let blank = try Self.blank(h, reserve: quote.feeReserve)
            let response = try await h.mint.melt(MeltRequest(quote: quote.quote, inputs: proofs, outputs: blank.messages))
            #expect(response.state == .paid)
            // The fake node cannot know the preimage of another node's invoice, so it reports none.
            #expect(response.paymentPreimage == nil)
            // Inputs 1020 − amount 1000 − Lightning fee 1 sat = 19 change, on ceil(log2(20)) = 5 blank outputs.
            #expect(blank.messages.count == 5)
            let change = try #require(response.change)
            var outputs = blank
            outputs.messages = zip(blank.messages, change).map { var m = $0.0; m.amount = $0.1.amount; return m }
            let changeProofs = try h.proofs(change, outputs)
            #expect(changeProofs.map(\.amount) == [1, 2, 16])
            // The change is spendable; the inputs are spent; the quote is PAID and repeats its change.
            _ = try await h.swap(changeProofs, into: Amount(19).powersOfTwo)
            await expectCashuError(.proofsAlreadySpent) { try await h.swap(proofs, into: Amount(1020).powersOfTwo) }
            let checked = try await h.mint.meltQuote(id: quote.quote)
            #expect(checked.state == .paid && checked.change == change)
            await expectCashuError(.invoiceAlreadyPaid) { try await h.mint.melt(MeltRequest(quote: quote.quote, inputs: changeProofs)) }
        }
    }

    @Test("a paid melt ends PAID when its change needs amounts the keyset lacks: 21 on a 1-2-4-8 keyset is 8, 8, 4, 1")
    func changeOverKeysetAmounts() async throws {
        var settings = MintSettings()
        settings.denominations = 4
        try await MintHarness.with(settings: settings) { h in
            let proofs = try await h.mintProofs(32, split: [8, 8, 8, 8])
            let quote = try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: try externalInvoice(sat: 10), unit: .sat))
            #expect(quote.amount == 10 && quote.feeReserve == 2)
            let blank = try MintHarness.outputs(Array(repeating: 1, count: 6), keyset: h.activeKeyset().id)
            let response = try await h.mint.melt(MeltRequest(quote: quote.quote, inputs: proofs, outputs: blank.messages))
            #expect(response.state == .paid)
            // 32 − 10 − 1 sat fee = 21: powers of two would be 16 + 4 + 1, and 16 is not an amount of this keyset.
            let change = try #require(response.change)
            #expect(change.map(\.amount) == [1, 4, 8, 8])
            var outputs = blank
            outputs.messages = zip(blank.messages, change).map { var m = $0.0; m.amount = $0.1.amount; return m }
            let changeProofs = try h.proofs(change, outputs)
            _ = try await h.swap(changeProofs, into: [1, 4, 8, 8])
            #expect(try await h.mint.meltQuote(id: quote.quote).state == .paid)
            #expect(try await h.store.pendingMeltQuotes().isEmpty)
            // Too few blank outputs: the largest pieces are returned.
            let more = try await h.mintProofs(32, split: [8, 8, 8, 8])
            let second = try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: try externalInvoice(sat: 10), unit: .sat))
            let two = try MintHarness.outputs([1, 1], keyset: h.activeKeyset().id)
            let paid = try await h.mint.melt(MeltRequest(quote: second.quote, inputs: more, outputs: two.messages))
            #expect(paid.state == .paid && paid.change?.map(\.amount) == [8, 8])
        }
    }

    @Test("melt needs amount + fee reserve + input fee, a known quote, the quote's unit")
    func meltErrors() async throws {
        try await MintHarness.with { h in
            let proofs = try await h.mintProofs(101)
            let quote = try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: try externalInvoice(sat: 100), unit: .sat))
            await expectCashuError(.transactionUnbalanced) { try await h.mint.melt(MeltRequest(quote: quote.quote, inputs: proofs)) }
            await expectCashuError(.notAllowed) { try await h.mint.melt(MeltRequest(quote: "unknown", inputs: proofs)) }
            await expectCashuError(.notAllowed) { try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: "lnbc1garbage", unit: .sat)) }
            await expectCashuError(.unitNotSupported) { try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: try externalInvoice(sat: 1), unit: .usd)) }
            let amountless = try Invoice.Builder(paymentHash: Array(repeating: 7, count: 32), paymentSecret: Array(repeating: 1, count: 32), description: "x").sign(with: .random()).bolt11
            await expectCashuError(.amountlessInvoiceNotSupported) { try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: amountless, unit: .sat)) }
            let chosen = try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: amountless, unit: .sat, options: .init(amountless: .init(amountMsat: 5000))))
            #expect(chosen.amount == 5)
            // Nothing was spent by the failures.
            _ = try await h.swap(proofs, into: Amount(101).powersOfTwo)
        }
    }

    @Test("with too few blank outputs the largest change amounts are returned")
    func fewBlankOutputs() async throws {
        try await MintHarness.with { h in
            let proofs = try await h.mintProofs(128)
            let quote = try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: try externalInvoice(sat: 100), unit: .sat))
            // Change 128 − 100 − 1 = 27 = 1 + 2 + 8 + 16; two outputs carry 8 and 16.
            let blank = try MintHarness.outputs([1, 1], keyset: h.activeKeyset().id)
            let response = try await h.mint.melt(MeltRequest(quote: quote.quote, inputs: proofs, outputs: blank.messages))
            #expect(response.change?.map(\.amount) == [8, 16])
        }
    }

    @Test("a definitely failed payment releases the inputs (20004) and the quote can be retried")
    func failedPayment() async throws {
        var fake = FakeLightningSettings.instant
        fake.paymentOutcome = .failed
        try await MintHarness.with(fake: fake) { h in
            let proofs = try await h.mintProofs(110)
            let quote = try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: try externalInvoice(sat: 100), unit: .sat))
            await expectCashuError(.lightningPaymentFailed) { try await h.mint.melt(MeltRequest(quote: quote.quote, inputs: proofs)) }
            #expect(try await h.mint.meltQuote(id: quote.quote).state == .unpaid)
            let states = try await h.mint.checkState(CheckStateRequest(ys: proofs.map { try $0.y }))
            #expect(states.states.allSatisfy { $0.state == .unspent })
            _ = try await h.swap(proofs, into: Amount(110).powersOfTwo)
            #expect(try await h.store.auditTotals().fees[.sat] ?? 0 == 0)
        }
    }

    @Test("an unknown outcome keeps inputs pending (11002, 20005) until recovery learns the result")
    func pendingAndRecovery() async throws {
        let store = try await SQLiteMintStore.open(path: ":memory:", logger: Logger(label: "test"))
        try await store.migrate()
        let backend = ScriptedBackend()
        let mint = try Mint(store: store, backend: backend, master: ExtendedPrivateKey(seed: Array("recovery".utf8)), settings: MintSettings(), logger: Logger(label: "test"))
        try await mint.start()
        let h = MintHarness(mint: try Mint(store: store, backend: backend.node, master: ExtendedPrivateKey(seed: Array("recovery".utf8)), settings: MintSettings(), logger: Logger(label: "test")), store: store, backend: backend.node)
        try await h.mint.reloadKeysets()
        defer { Task { try? await store.close() } }

        // Two melts whose payments come back unknown.
        var pendingProofs = [[Proof]]()
        var quotes = [MeltQuoteBolt11Response]()
        for _ in 0..<3 {
            let proofs = try await h.mintProofs(110)
            let quote = try await mint.createMeltQuote(MeltQuoteBolt11Request(request: try externalInvoice(sat: 100), unit: .sat))
            let blank = try MeltTests.blank(h, reserve: quote.feeReserve)
            let response = try await mint.melt(MeltRequest(quote: quote.quote, inputs: proofs, outputs: blank.messages))
            #expect(response.state == .pending)
            pendingProofs.append(proofs)
            quotes.append(quote)
        }
        let ys = try pendingProofs[0].map { try $0.y }
        #expect(try await mint.checkState(CheckStateRequest(ys: ys)).states.allSatisfy { $0.state == .pending })
        await expectCashuError(.proofsPending) { try await h.swap(pendingProofs[0], into: Amount(110).powersOfTwo) }
        await expectCashuError(.quotePending) { try await mint.melt(MeltRequest(quote: quotes[0].quote, inputs: pendingProofs[0])) }
        // Recovery with no answer: all stay pending (fail closed).
        try await mint.recoverPendingMelts()
        #expect(try await store.pendingMeltQuotes().count == 3)
        // The node now says paid: every pending melt settles, with change.
        backend.set(status: .paid(feeMsat: 1000, preimage: "00"))
        try await mint.recoverPendingMelts()
        #expect(try await store.pendingMeltQuotes().isEmpty)
        let settled = try await mint.meltQuote(id: quotes[0].quote)
        #expect(settled.state == .paid && (settled.change?.count ?? 0) > 0)
        #expect(try await mint.checkState(CheckStateRequest(ys: ys)).states.allSatisfy { $0.state == .spent })
        #expect(backend.payCalls == 3)
    }

    @Test("recovery releases the inputs of a payment the node reports failed")
    func recoveryReleases() async throws {
        let store = try await SQLiteMintStore.open(path: ":memory:", logger: Logger(label: "test"))
        try await store.migrate()
        let backend = ScriptedBackend()
        let seed = Array("release".utf8)
        let mint = try Mint(store: store, backend: backend, master: ExtendedPrivateKey(seed: seed), settings: MintSettings(), logger: Logger(label: "test"))
        try await mint.start()
        let h = MintHarness(mint: try Mint(store: store, backend: backend.node, master: ExtendedPrivateKey(seed: seed), settings: MintSettings(), logger: Logger(label: "test")), store: store, backend: backend.node)
        try await h.mint.reloadKeysets()
        defer { Task { try? await store.close() } }
        let proofs = try await h.mintProofs(110)
        let quote = try await mint.createMeltQuote(MeltQuoteBolt11Request(request: try externalInvoice(sat: 100), unit: .sat))
        #expect(try await mint.melt(MeltRequest(quote: quote.quote, inputs: proofs)).state == .pending)
        backend.set(status: .failed(reason: "no route"))
        // Checking the quote resolves it.
        #expect(try await mint.meltQuote(id: quote.quote).state == .unpaid)
        _ = try await h.swap(proofs, into: Amount(110).powersOfTwo)
    }

    @Test("paying one of the mint's own invoices settles internally, without a fee")
    func internalMelt() async throws {
        try await MintHarness.with(fake: { var f = FakeLightningSettings(); f.incomingDelay = 3600; return f }()) { h in
            let proofs = try await h.mintOwnProofs(64)
            let receive = try await h.mint.createMintQuote(MintQuoteBolt11Request(amount: 50, unit: .sat))
            let quote = try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: receive.request, unit: .sat))
            #expect(quote.amount == 50 && quote.feeReserve == 0)
            // 64 in, 50 out: 14 change on three blank outputs.
            let blank = try Self.blank(h, reserve: 8)
            let response = try await h.mint.melt(MeltRequest(quote: quote.quote, inputs: proofs, outputs: blank.messages))
            #expect(response.state == .paid)
            #expect(response.change?.map(\.amount) == [2, 4, 8])
            #expect(try await h.mint.mintQuote(id: receive.quote).state == .paid)
            let outputs = try MintHarness.outputs(Amount(50).powersOfTwo, keyset: h.activeKeyset().id)
            _ = try await h.mint.mint(MintRequest(quote: receive.quote, outputs: outputs.messages))
            // A second melt for the same (now paid) invoice is refused.
            await expectCashuError(.invoiceAlreadyPaid) { try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: receive.request, unit: .sat)) }
        }
    }

    @Test("a blank output that was already signed is refused (11003) before anything is paid")
    func signedBlankOutput() async throws {
        try await MintHarness.with { h in
            let proofs = try await h.mintProofs(1020)
            let other = try await h.mintProofs(4)
            // Sign two outputs in a swap, then offer them as blank outputs of a melt.
            let reused = try MintHarness.outputs([2, 2], keyset: h.activeKeyset().id)
            _ = try await h.mint.swap(SwapRequest(inputs: other, outputs: reused.messages))
            let quote = try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: try externalInvoice(sat: 1000), unit: .sat))
            var blank = try Self.blank(h, reserve: quote.feeReserve)
            blank.messages[1] = reused.messages[0]
            await expectCashuError(.outputsAlreadySigned) { try await h.mint.melt(MeltRequest(quote: quote.quote, inputs: proofs, outputs: blank.messages)) }
            // Nothing moved: the quote is still payable and the inputs are unspent.
            #expect(try await h.mint.meltQuote(id: quote.quote).state == .unpaid)
            let states = try await h.mint.checkState(CheckStateRequest(ys: proofs.map { try $0.y }))
            #expect(states.states.allSatisfy { $0.state == .unspent })
            let fresh = try Self.blank(h, reserve: quote.feeReserve)
            #expect(try await h.mint.melt(MeltRequest(quote: quote.quote, inputs: proofs, outputs: fresh.messages)).state == .paid)
        }
    }

    @Test("a blank output signed while the payment is in flight: the melt settles as paid, without change")
    func blankOutputSignedDuringPayment() async throws {
        var fake = FakeLightningSettings.instant
        fake.paymentDelay = 0.5
        try await MintHarness.with(fake: fake) { h in
            let proofs = try await h.mintProofs(1020)
            let other = try await h.mintProofs(4)
            let quote = try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: try externalInvoice(sat: 1000), unit: .sat))
            let blank = try Self.blank(h, reserve: quote.feeReserve)
            let pending = try await h.mint.melt(MeltRequest(quote: quote.quote, inputs: proofs, outputs: blank.messages, preferAsync: true))
            #expect(pending.state == .pending)
            // The wallet (badly) spends the same blank output in a swap while the node is paying.
            var stolen = try MintHarness.outputs([4], keyset: h.activeKeyset().id)
            stolen.messages[0] = blank.messages[0]
            stolen.messages[0].amount = 4
            _ = try await h.mint.swap(SwapRequest(inputs: other, outputs: stolen.messages))
            var settled = pending
            for _ in 0..<50 where settled.state != .paid {
                try await Task.sleep(for: .milliseconds(100))
                settled = try await h.mint.meltQuote(id: quote.quote)
            }
            // The invoice was paid, so the quote must not stay pending; the change could not be issued.
            #expect(settled.state == .paid)
            #expect(settled.change == nil)
            let states = try await h.mint.checkState(CheckStateRequest(ys: proofs.map { try $0.y }))
            #expect(states.states.allSatisfy { $0.state == .spent })
        }
    }

    @Test("prefer_async answers PENDING at once and the payment completes in the background")
    func preferAsync() async throws {
        var fake = FakeLightningSettings.instant
        fake.paymentDelay = 0.5
        try await MintHarness.with(fake: fake) { h in
            let proofs = try await h.mintProofs(110)
            let quote = try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: try externalInvoice(sat: 100), unit: .sat))
            let response = try await h.mint.melt(MeltRequest(quote: quote.quote, inputs: proofs, preferAsync: true))
            #expect(response.state == .pending)
            var state = response.state
            for _ in 0..<50 where state != .paid {
                try await Task.sleep(for: .milliseconds(100))
                state = try await h.mint.meltQuote(id: quote.quote).state
            }
            #expect(state == .paid)
        }
    }
}

extension MintHarness {
    /// Mints with a backend whose invoices are not auto-paid: marks the quote paid by hand.
    func mintOwnProofs(_ amount: Amount) async throws -> [Proof] {
        let quote = try await mint.createMintQuote(MintQuoteBolt11Request(amount: amount, unit: .sat))
        let record = try #require(try await store.mintQuote(id: quote.quote))
        try await mint.invoicePaid(paymentHash: record.paymentHash)
        let outputs = try Self.outputs(amount.powersOfTwo, keyset: activeKeyset().id)
        return try proofs(try await mint.mint(MintRequest(quote: quote.quote, outputs: outputs.messages)).signatures, outputs)
    }
}

/// NUT-15 on a backend that cannot pay part of an invoice.
@Suite("Multi-path quotes on a backend without them")
struct MultiPathUnsupportedTests {
    @Test("/v1/info leaves NUT-15 out and a part's quote is refused (10000), nothing stored; a whole quote still works")
    func refusedWithoutBackendSupport() async throws {
        let store = try await SQLiteMintStore.open(path: ":memory:", logger: Logger(label: "test"))
        try await store.migrate()
        let backend = ScriptedBackend()
        #expect(!backend.paysMultiPath)
        let mint = try Mint(store: store, backend: backend, master: ExtendedPrivateKey(seed: Array("mpp".utf8)), settings: MintSettings(), logger: Logger(label: "test"))
        try await mint.start()
        defer { Task { try? await store.close() } }
        #expect(mint.info(version: "test").nuts?["15"] == nil)
        let invoice = try externalInvoice(sat: 100)
        await #expect(throws: CashuError.self) {
            do {
                _ = try await mint.createMeltQuote(MeltQuoteBolt11Request(request: invoice, unit: .sat, options: .init(mpp: .init(amount: 40_000))))
            } catch let error as CashuError {
                #expect(error.code == .notAllowed && error.detail.contains("NUT-15"))
                throw error
            }
        }
        let whole = try await mint.createMeltQuote(MeltQuoteBolt11Request(request: invoice, unit: .sat))
        #expect(whole.amount == 100)
    }
}
