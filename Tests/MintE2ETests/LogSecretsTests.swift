import CashuCrypto
import CashuProtocol
import Foundation
import TestSupport
import Testing

/// Quote IDs are bearer secrets (whoever has a paid quote's ID can mint it), and proofs' secrets are money: neither
/// may reach the log, even at trace level, on either ledger.
@Suite("Bearer values never reach the mint's log")
struct LogSecretsTests {
    @Test("quote IDs, proof secrets and the seed are absent from a trace-level log", arguments: Ledger.available)
    func noBearerValuesInLogs(_ ledger: Ledger) async throws {
        try await withLedger(ledger) { database in
            let mint = try await CashewMintProcess(database: database, environment: ["CASHEW_LOG_LEVEL": "trace"])
            defer {
                mint.stop()
                mint.removeData()
            }
            let wallet = HTTPWallet(url: mint.url)
            let keyset = try await wallet.keyset()
            let quote = try HTTPJSON.value(try await HTTPJSON.post(
                MintQuoteBolt11Response.self, mint.url + "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 64, unit: .sat)))
            var state = MintQuoteState.unpaid
            for _ in 0..<100 where state != .paid {
                try await Task.sleep(for: .milliseconds(100))
                state = try HTTPJSON.value(try await HTTPJSON.get(MintQuoteBolt11Response.self, mint.url + "/v1/mint/quote/bolt11/\(quote.quote)")).state
            }
            let outputs = try BlindedOutputs([32, 32], keyset: keyset.id)
            let minted = try HTTPJSON.value(try await HTTPJSON.post(
                MintResponse.self, mint.url + "/v1/mint/bolt11", MintRequest(quote: quote.quote, outputs: outputs.messages)))
            let proofs = try outputs.proofs(minted.signatures) { _, a in keyset.keys[a] }
            let melt = try HTTPJSON.value(try await HTTPJSON.post(
                MeltQuoteBolt11Response.self, mint.url + "/v1/melt/quote/bolt11", MeltQuoteBolt11Request(request: try foreignInvoice(sat: 10), unit: .sat)))
            let paid = try HTTPJSON.value(try await HTTPJSON.post(
                MeltQuoteBolt11Response.self, mint.url + "/v1/melt/bolt11", MeltRequest(quote: melt.quote, inputs: proofs)))
            #expect(paid.state == .paid)
            mint.stop()

            let logs = mint.logs
            #expect(logs.contains("mint quote paid") && logs.contains("melt paid"), "the events are logged")
            #expect(!logs.contains(quote.quote), "the mint quote's ID is in the log")
            #expect(!logs.contains(melt.quote), "the melt quote's ID is in the log")
            for proof in proofs { #expect(!logs.contains(proof.secret), "a proof secret is in the log") }
            let seed = try String(contentsOfFile: mint.dataDir + "/seed", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!logs.contains(seed))
        }
    }
}
