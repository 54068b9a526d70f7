import CashuCrypto
import CashuMint
import CashuProtocol
import FakeLightning
import Testing

@Suite("Mint core: quote expiry and units")
struct QuoteExpiryAndUnitTests {
    @Test("an unpaid mint quote past its expiry is expired (20007); a melt quote too")
    func expiry() async throws {
        let time = ManualClock()
        var fake = FakeLightningSettings()
        fake.incomingDelay = 3600
        var settings = MintSettings()
        settings.mintQuoteExpiry = 60
        settings.meltQuoteExpiry = 60
        try await MintHarness.with(settings: settings, fake: fake, clock: time.clock) { h in
            let quote = try await h.mint.createMintQuote(MintQuoteBolt11Request(amount: 8, unit: .sat))
            #expect(quote.expiry == time.clock.now() + 60)
            let outputs = try MintHarness.outputs([8], keyset: h.activeKeyset().id)
            await expectCashuError(.quoteNotPaid) { try await h.mint.mint(MintRequest(quote: quote.quote, outputs: outputs.messages)) }
            time.advance(61)
            await expectCashuError(.quoteExpired) { try await h.mint.mint(MintRequest(quote: quote.quote, outputs: outputs.messages)) }
            let proofs = try await h.mintOwnProofs(16)
            let melt = try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: try externalInvoice(sat: 10), unit: .sat))
            time.advance(61)
            await expectCashuError(.quoteExpired) { try await h.mint.melt(MeltRequest(quote: melt.quote, inputs: proofs)) }
        }
    }

    @Test("inputs of two units (11009); outputs of another unit than the inputs (11010); each unit its keyset")
    func units() async throws {
        var settings = MintSettings()
        settings.units = [.sat, .usd]
        try await MintHarness.with(settings: settings) { h in
            let sat = try h.activeKeyset(.sat)
            let usd = try h.activeKeyset(.usd)
            #expect(sat.id != usd.id && usd.unit == .usd)
            #expect(MintKeyset.unitIndex(.usd) != MintKeyset.unitIndex(.sat))
            let satProofs = try await h.mintProofs(4)
            let usdProofs = try await h.mintProofs(4, unit: .usd)
            #expect(usdProofs.allSatisfy { $0.id == usd.id })
            let satOutputs = try MintHarness.outputs([8], keyset: sat.id)
            await expectCashuError(.multipleUnits) { try await h.mint.swap(SwapRequest(inputs: satProofs + usdProofs, outputs: satOutputs.messages)) }
            let usdOutputs = try MintHarness.outputs([4], keyset: usd.id)
            await expectCashuError(.inputOutputUnitMismatch) { try await h.mint.swap(SwapRequest(inputs: satProofs, outputs: usdOutputs.messages)) }
            _ = try await h.swap(usdProofs, into: [4])
            // A melt quote in usd: cents at the fake exchange rate.
            let melt = try await h.mint.createMeltQuote(MeltQuoteBolt11Request(request: try externalInvoice(sat: 1000), unit: .usd))
            #expect(melt.unit == .usd && melt.amount == 100)  // 1000 sat at 100,000 USD/BTC = $1.00
        }
    }
}
