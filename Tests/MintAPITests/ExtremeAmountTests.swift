import Bolt11
import CashewEncoding
import CashuCrypto
import CashuMint
import CashuProtocol
import Crypto
import FakeLightning
import Foundation
import Hummingbird
import HummingbirdTesting
import Secp256k1
import TestSupport
import Testing

/// Extreme amounts at every endpoint and every backend quote path, under extreme fee and price settings: every
/// answer is a 200 or a NUT error, never a 5xx, and nothing traps (a trap here kills the test process).
@Suite("Extreme amounts at every endpoint")
struct ExtremeAmountTests {
    static let amounts: [UInt64] = [
        0, 1, 2, 3, 1000, 1 << 32, (1 << 53) + 1, 1 << 62, (1 << 63) - 1, 1 << 63, UInt64.max - 1000, UInt64.max - 1, UInt64.max,
    ]

    /// Fee and price settings at the ends of their documented ranges.
    struct Setup: CustomTestStringConvertible, Sendable {
        let feePercent: Double
        let reserveMinMsat: UInt64
        let btcPrice: UInt64
        let inputFeePPK: UInt64
        var testDescription: String { "fee \(feePercent)%, reserve min \(reserveMinMsat) msat, price \(btcPrice), input fee \(inputFeePPK) ppk" }
    }

    static let setups = [
        Setup(feePercent: 100, reserveMinMsat: 0, btcPrice: 1, inputFeePPK: 100_000),
        Setup(feePercent: 0, reserveMinMsat: UInt64.max, btcPrice: 1_000_000_000, inputFeePPK: 0),
        Setup(feePercent: 2, reserveMinMsat: 2000, btcPrice: 100_000, inputFeePPK: 100),
    ]

    static func invoice(msat: UInt64?) throws -> String {
        try Invoice.Builder(
            amountMsat: msat, paymentHash: Array(SHA256.hash(data: SecureRandom.bytes(32))), paymentSecret: SecureRandom.bytes(32), description: "x"
        ).sign(with: .random()).bolt11
    }

    @Test("mint and melt quotes, swaps, mints, melts, restores: 200 or a NUT error", arguments: setups)
    func everyEndpoint(_ setup: Setup) async throws {
        var settings = MintSettings()
        settings.units = [.sat, .msat, .usd]
        settings.inputFeePPK = setup.inputFeePPK
        settings.mintMaxAmount = Amount(UInt64.max)
        settings.meltMaxAmount = Amount(UInt64.max)
        settings.feeReserve = FeeReserveRule(percent: setup.feePercent, minMsat: setup.reserveMinMsat)
        var fake = FakeLightningSettings()
        fake.btcPrice = setup.btcPrice
        fake.paymentFeeMsat = UInt64.max
        try await APIHarness.with(settings: settings, fake: fake) { _, client in
            var unexpected = [String]()
            func check(_ label: String, _ method: HTTPRequest.Method, _ uri: String, _ json: String) async throws {
                let (status, body) = try await client.call(method, uri, json: json)
                if status == .ok { return }
                if status == .badRequest, (try? JSONDecoder().decode(CashuError.self, from: body)) != nil { return }
                unexpected.append("\(label): HTTP \(status.code) \(String(decoding: body, as: UTF8.self).prefix(200))")
            }
            let keys = try await client.ok(KeysResponse.self, .get, "/v1/keys")
            let sat = try #require(keys.keysets.first { $0.unit == .sat })
            let quote64 = try await client.ok(
                MintQuoteBolt11Response.self, .post, "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 64, unit: .sat))
            let minted = try BlindedOutputs([32, 32], keyset: sat.id)
            let signatures = try await client.ok(MintResponse.self, .post, "/v1/mint/bolt11", MintRequest(quote: quote64.quote, outputs: minted.messages))
            let proofs = try minted.proofs(signatures.signatures) { _, a in sat.keys[a] }
            try #require(!proofs.isEmpty, "the mint signed no output")
            let paid = try await client.ok(
                MintQuoteBolt11Response.self, .post, "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 8, unit: .sat))

            for a in Self.amounts {
                for unit in ["sat", "msat", "usd"] {
                    try await check("mint quote \(a) \(unit)", .post, "/v1/mint/quote/bolt11", #"{"amount":\#(a),"unit":"\#(unit)"}"#)
                    let amountless = try Self.invoice(msat: nil)
                    try await check(
                        "amountless melt quote \(a) msat in \(unit)", .post, "/v1/melt/quote/bolt11",
                        #"{"request":"\#(amountless)","unit":"\#(unit)","options":{"amountless":{"amount_msat":\#(a)}}}"#)
                    if a > 0, a < (1 << 61) {
                        try await check(
                            "melt quote for an invoice of \(a) msat in \(unit)", .post, "/v1/melt/quote/bolt11",
                            #"{"request":"\#(try Self.invoice(msat: a))","unit":"\#(unit)"}"#)
                    }
                }
                // Outputs of the amount, against real inputs (and inputs claiming the amount, which do not verify).
                let outputs = try BlindedOutputs([Amount(a)], keyset: sat.id).messages
                let swap = SwapRequest(inputs: proofs, outputs: outputs)
                try await check("swap into \(a)", .post, "/v1/swap", String(decoding: try JSONEncoder().encode(swap), as: UTF8.self))
                var claimed = proofs
                claimed[0].amount = Amount(a)
                let forged = SwapRequest(inputs: claimed, outputs: try BlindedOutputs([1], keyset: sat.id).messages)
                try await check("swap of an input claiming \(a)", .post, "/v1/swap", String(decoding: try JSONEncoder().encode(forged), as: UTF8.self))
                let mint = MintRequest(quote: paid.quote, outputs: outputs)
                try await check("mint into \(a)", .post, "/v1/mint/bolt11", String(decoding: try JSONEncoder().encode(mint), as: UTF8.self))
                try await check("restore \(a)", .post, "/v1/restore", String(decoding: try JSONEncoder().encode(RestoreRequest(outputs: outputs)), as: UTF8.self))
            }
            // A melt with every blank output amount, for a quote the inputs can or cannot cover.
            let melt = try await client.call(.post, "/v1/melt/quote/bolt11", MeltQuoteBolt11Request(request: try Self.invoice(msat: 10_000), unit: .sat))
            if melt.status == .ok {
                let quote = try JSONDecoder().decode(MeltQuoteBolt11Response.self, from: melt.body)
                for a in Self.amounts {
                    let blank = try BlindedOutputs([Amount(a)], keyset: sat.id).messages
                    var claimed = proofs
                    claimed[0].amount = Amount(a)
                    for inputs in [claimed, proofs] {
                        let request = MeltRequest(quote: quote.quote, inputs: inputs, outputs: blank)
                        try await check("melt with blank output \(a)", .post, "/v1/melt/bolt11", String(decoding: try JSONEncoder().encode(request), as: UTF8.self))
                    }
                }
            }
            #expect(unexpected.isEmpty, "\(unexpected.prefix(10))")
        }
    }

    @Test("amounts that are not plain integers are refused", arguments: ["1.0", "1e3", "-0", "-1", "18446744073709551616", "1E3", "0.5", "\"8\"", "true"])
    func notIntegers(_ amount: String) async throws {
        try await APIHarness.with { _, client in
            try await client.fails(.notAllowed, .post, "/v1/mint/quote/bolt11", json: #"{"amount":\#(amount),"unit":"sat"}"#)
            let keys = try await client.ok(KeysResponse.self, .get, "/v1/keys")
            let id = try #require(keys.keysets.first).id.hex
            let b = try Scalar.random().publicPoint.hex
            try await client.fails(.notAllowed, .post, "/v1/restore", json: #"{"outputs":[{"amount":\#(amount),"id":"\#(id)","B_":"\#(b)"}]}"#)
            try await client.fails(
                .notAllowed, .post, "/v1/melt/quote/bolt11",
                json: #"{"request":"\#(try ExtremeAmountTests.invoice(msat: nil))","unit":"sat","options":{"amountless":{"amount_msat":\#(amount)}}}"#)
        }
    }

    @Test("an invoice of another network is refused (10000): a testnet invoice on a mainnet node")
    func otherNetwork() async throws {
        try await APIHarness.with { _, client in
            let testnet = try Invoice.Builder(
                network: "tb", amountMsat: 10_000, paymentHash: Array(SHA256.hash(data: SecureRandom.bytes(32))), paymentSecret: SecureRandom.bytes(32),
                description: "x"
            ).sign(with: .random()).bolt11
            #expect(testnet.hasPrefix("lntb"))
            try await client.fails(.notAllowed, .post, "/v1/melt/quote/bolt11", MeltQuoteBolt11Request(request: testnet, unit: .sat))
            _ = try await client.ok(MeltQuoteBolt11Response.self, .post, "/v1/melt/quote/bolt11", MeltQuoteBolt11Request(request: try ExtremeAmountTests.invoice(msat: 10_000), unit: .sat))
        }
    }
}
