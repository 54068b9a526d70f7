import Bolt11
import CashewEncoding
import CashuCrypto
import CashuMint
import CashuProtocol
import Secp256k1
import FakeLightning
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// NUT-15 over HTTP: a melt quote for part of an invoice, its fee reserve and change, and what is refused.
@Suite("NUT-15 multi-path melt quotes over HTTP")
struct MultiPathAPITests {
    static func quoteRequest(_ invoice: String, part: UInt64?, amountless: UInt64? = nil) -> MeltQuoteBolt11Request {
        MeltQuoteBolt11Request(
            request: invoice, unit: .sat,
            options: .init(amountless: amountless.map { .init(amountMsat: $0) }, mpp: part.map { .init(amount: $0) }))
    }

    @Test("info lists bolt11 per unit; a part's quote is the part with its own fee reserve; the melt pays the part and returns the change")
    func partQuoteAndMelt() async throws {
        var settings = MintSettings()
        settings.units = [.sat, .usd]
        settings.feeReserve = FeeReserveRule(percent: 1, minMsat: 2000)
        try await APIHarness.with(settings: settings) { _, client in
            let info = try await client.ok(MintInfo.self, .get, "/v1/info")
            let methods = try #require(info.nuts?["15"]?["methods"]?.arrayValue)
            #expect(Set(methods.compactMap { $0["unit"]?.stringValue }) == ["sat", "usd"])
            #expect(methods.allSatisfy { $0["method"]?.stringValue == "bolt11" })

            let invoice = try MintAPITestsSupport.externalInvoice(sat: 1000)
            let part = try await client.ok(MeltQuoteBolt11Response.self, .post, "/v1/melt/quote/bolt11", Self.quoteRequest(invoice, part: 600_000))
            #expect(part.amount == 600)
            #expect(part.feeReserve == 6)  // 1 % of the part, not of the invoice
            #expect(part.request == invoice && part.state == .unpaid)
            // A part of a msat that is not a whole sat costs the next whole sat.
            let odd = try await client.ok(MeltQuoteBolt11Response.self, .post, "/v1/melt/quote/bolt11", Self.quoteRequest(invoice, part: 399_001))
            #expect(odd.amount == 400)
            // The whole invoice as one "part" is a plain payment.
            let whole = try await client.ok(MeltQuoteBolt11Response.self, .post, "/v1/melt/quote/bolt11", Self.quoteRequest(invoice, part: 1_000_000))
            #expect(whole.amount == 1000 && whole.feeReserve == 10)

            // Pay the 600-sat part with 700 sat: 600 + reserve 6 + change (700 − 600 − fee 1 sat paid by the fake node).
            let proofs = try await MintAPITests.mint(700, client)
            let keyset = try #require(try await client.ok(KeysResponse.self, .get, "/v1/keys").keysets.first { $0.unit == .sat })
            let blank = try BlindedOutputs(Array(repeating: 1, count: 8), keyset: keyset.id)
            let melted = try await client.ok(
                MeltQuoteBolt11Response.self, .post, "/v1/melt/bolt11", MeltRequest(quote: part.quote, inputs: proofs, outputs: blank.messages))
            #expect(melted.state == .paid)
            #expect((melted.change ?? []).reduce(0) { $0 + $1.amount.rawValue } == 700 - 600 - 1)
            // One payment per invoice and mint: this mint's other part of the same invoice is refused.
            let more = try await MintAPITests.mint(500, client)
            try await client.fails(.quotePending, .post, "/v1/melt/bolt11", MeltRequest(quote: odd.quote, inputs: more, outputs: nil))
            _ = try await client.ok(SwapResponse.self, .post, "/v1/swap", SwapRequest(inputs: more, outputs: try BlindedOutputs([256, 128, 64, 32, 16, 4], keyset: keyset.id).messages))
        }
    }

    @Test("refused: a part larger than the invoice, zero, with amountless, of an amountless invoice, of this mint's own invoice")
    func refusals() async throws {
        try await APIHarness.with { _, client in
            let invoice = try MintAPITestsSupport.externalInvoice(sat: 100)
            let uri = "/v1/melt/quote/bolt11"
            try await client.fails(.amountMismatch, .post, uri, Self.quoteRequest(invoice, part: 100_001))
            try await client.fails(.amountOutsideLimit, .post, uri, Self.quoteRequest(invoice, part: 0))
            try await client.fails(.notAllowed, .post, uri, Self.quoteRequest(invoice, part: 50_000, amountless: 100_000))
            let amountless = try Invoice.Builder(
                amountMsat: nil, paymentHash: Array(SecureRandom.bytes(32)), paymentSecret: SecureRandom.bytes(32), description: "any"
            ).sign(with: .random()).bolt11
            try await client.fails(.amountlessInvoiceNotSupported, .post, uri, Self.quoteRequest(amountless, part: 50_000))
            // This mint's own invoice is settled in its ledger, whole.
            let own = try await client.ok(MintQuoteBolt11Response.self, .post, "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 100, unit: .sat))
            try await client.fails(.notAllowed, .post, uri, Self.quoteRequest(own.request, part: 50_000))
            // Nothing of that left a quote behind that could be paid: a plain quote still works.
            let plain = try await client.ok(MeltQuoteBolt11Response.self, .post, uri, MeltQuoteBolt11Request(request: invoice, unit: .sat))
            #expect(plain.amount == 100)
        }
    }
}
