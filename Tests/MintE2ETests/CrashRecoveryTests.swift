import CashuCrypto
import CashuProtocol
import Foundation
import TestSupport
import Testing

/// kill -9 while a melt is pending at the backend; after a restart the melt settles (or its inputs are released),
/// and nothing is lost or spent twice.
@Suite("Crash recovery of pending melts", .serialized)
struct CrashRecoveryTests {
    struct Scenario: CustomTestStringConvertible, Sendable {
        let ledger: Ledger
        let outcome: String
        var testDescription: String { "\(ledger.rawValue), payment \(outcome)" }
    }

    static var scenarios: [Scenario] {
        Ledger.available.flatMap { l in ["paid", "failed"].map { Scenario(ledger: l, outcome: $0) } }
    }

    @Test("kill -9 during a melt, then restart", arguments: scenarios)
    func killDuringMelt(_ scenario: Scenario) async throws {
        try await withLedger(scenario.ledger) { database in
            // Payments stay in flight at the fake node for ten minutes, so the kill cannot miss them (a window of 8 s
            // was missed on a loaded CI machine); while the mint is down the test lets the node finish the payment.
            let env = ["CASHEW_FAKE_PAYMENT_DELAY": "600", "CASHEW_FAKE_PAYMENT_OUTCOME": scenario.outcome]
            let mint = try await CashewMintProcess(database: database, environment: env)
            defer { mint.removeData() }
            let wallet = HTTPWallet(url: mint.url)
            let keyset = try await wallet.keyset()
            let proofs = try await wallet.mint(110)
            let quote = try HTTPJSON.value(try await HTTPJSON.post(
                MeltQuoteBolt11Response.self, mint.url + "/v1/melt/quote/bolt11", MeltQuoteBolt11Request(request: try foreignInvoice(sat: 100), unit: .sat)))
            let blank = try BlindedOutputs(Array(repeating: 1, count: 4), keyset: keyset.id)
            let melt = Task {
                try? await HTTPJSON.post(MeltQuoteBolt11Response.self, mint.url + "/v1/melt/bolt11", MeltRequest(quote: quote.quote, inputs: proofs, outputs: blank.messages))
            }
            // Wait until the inputs are pending and the node has recorded the payment (it is in flight), then kill the
            // mint. (Killed before the node records it, the outcome is unknown and the melt rightly stays pending.)
            var pending = false
            let nodeState = mint.dataDir + "/fake-lightning.json"
            for _ in 0..<1200 where !pending {
                try await Task.sleep(for: .milliseconds(50))
                let saved = (try? Data(contentsOf: URL(fileURLWithPath: nodeState))).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
                let recorded = ((saved?["payments"] as? [String: Any])?.count ?? 0) > 0
                let states = try? await wallet.states(proofs)
                pending = recorded && (states?.allSatisfy { $0 == .pending } ?? false)
            }
            try #require(pending, "the melt never became pending:\n\(mint.logs)")
            mint.kill()
            _ = await melt.value
            // The node finishes the payment while the mint is down.
            let data = try Data(contentsOf: URL(fileURLWithPath: nodeState))
            var saved = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            var payments = try #require(saved["payments"] as? [String: [String: Any]])
            #expect(payments.count == 1)
            for key in payments.keys { payments[key]?["resolvesAt"] = 0 }
            saved["payments"] = payments
            try JSONSerialization.data(withJSONObject: saved).write(to: URL(fileURLWithPath: nodeState), options: .atomic)

            // Restart on the same data directory and database. The fake node's state file still knows the payment.
            let restarted = try await mint.restarted()
            defer { restarted.stop() }
            let w = HTTPWallet(url: restarted.url)
            var final: MeltQuoteBolt11Response?
            for _ in 0..<100 {
                let q = try HTTPJSON.value(try await HTTPJSON.get(MeltQuoteBolt11Response.self, restarted.url + "/v1/melt/quote/bolt11/\(quote.quote)"))
                if q.state != .pending {
                    final = q
                    break
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            let settled = try #require(final, "the melt stayed pending:\n\(restarted.logs)")
            if scenario.outcome == "paid" {
                #expect(settled.state == .paid)
                #expect(try await w.states(proofs).allSatisfy { $0 == .spent })
                // Change: 110 in, 100 paid, 1 sat fee → 9, on the blank outputs stored with the pending melt.
                let change = try #require(settled.change)
                #expect(change.reduce(0) { $0 + $1.amount.rawValue } == 9)
                var outputs = blank
                outputs.messages = zip(blank.messages, change).map { var m = $0.0; m.amount = $0.1.amount; return m }
                let changeProofs = try outputs.proofs(change) { _, a in keyset.keys[a] }
                // Spendable once.
                let swapOutputs = try BlindedOutputs(Amount(9).powersOfTwo, keyset: keyset.id)
                _ = try HTTPJSON.value(try await HTTPJSON.post(SwapResponse.self, restarted.url + "/v1/swap", SwapRequest(inputs: changeProofs, outputs: swapOutputs.messages)))
            } else {
                #expect(settled.state == .unpaid)
                // Released: spendable again, exactly once.
                #expect(try await w.states(proofs).allSatisfy { $0 == .unspent })
                let outputs = try BlindedOutputs(Amount(110).powersOfTwo, keyset: keyset.id)
                _ = try HTTPJSON.value(try await HTTPJSON.post(SwapResponse.self, restarted.url + "/v1/swap", SwapRequest(inputs: proofs, outputs: outputs.messages)))
                let again = try await HTTPJSON.post(SwapResponse.self, restarted.url + "/v1/swap", SwapRequest(inputs: proofs, outputs: try BlindedOutputs(Amount(110).powersOfTwo, keyset: keyset.id).messages))
                guard case let .error(e, _) = again else { Issue.record("a released proof was spent twice"); return }
                #expect(e.code == .proofsAlreadySpent)
            }
        }
    }
}
