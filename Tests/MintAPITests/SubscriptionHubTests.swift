import CashuCrypto
import CashuMint
import CashuProtocol
import Foundation
import Logging
import Secp256k1
import TestSupport
import Testing

@testable import CashewMintServer

/// The NUT-17 hub's bounds against a client that does not read: it is dropped, nobody waits for it.
@Suite("NUT-17 hub and a client that does not read")
struct SubscriptionHubTests {
    @Test("a client that never reads fills its queue and is dropped; the reading client gets every notification, also of a later change; nothing waits")
    func slowClientDropped() async throws {
        try await APIHarness.with { h, client in
            var limits = SubscriptionLimits()
            limits.outboundQueue = 8
            let hub = SubscriptionHub(mint: h.mint, limits: limits, logger: Logger(label: "test"))
            let (slow, slowQueue) = try #require(await hub.open(client: "slow"))
            let (fast, fastQueue) = try #require(await hub.open(client: "fast"))
            let ys = try (0..<20).map { _ in try Scalar.random().publicPoint.hex }
            let quote = try await client.ok(MintQuoteBolt11Response.self, .post, "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 8, unit: .sat))
            // The reading client follows 3 of the proofs: 1 + 3 messages, 1 + 1 for the quote, then the quote's change.
            // That is 7, under its queue of 8 even when a starved test process runs the reader late; the test is
            // about the slow client, not about how fast this one reads.
            let reader = Task {
                var seen = [String]()
                for await message in fastQueue {
                    seen.append(message)
                    if seen.count == 7 { break }
                }
                return seen
            }
            try await hub.subscribe(fast.id, requestID: .int(1), subID: "f", kind: .proofState, filters: Array(ys.prefix(3)))
            // The one that never reads subscribes to the same 20 proofs: 21 messages for a queue of 8.
            try await hub.subscribe(slow.id, requestID: .int(1), subID: "s", kind: .proofState, filters: ys)
            var kept = 0
            for await _ in slowQueue { kept += 1 }  // ends: the hub dropped the websocket
            #expect(kept == 8)
            #expect(await hub.isIdle(slow.id))
            // The hub goes on for the reading client: a quote, then its change, seen by the poll.
            try await hub.subscribe(fast.id, requestID: .int(2), subID: "q", kind: .bolt11MintQuote, filters: [quote.quote])
            let outputs = try BlindedOutputs([8], keyset: try #require(h.mint.keys().keysets.first { $0.unit == .sat }).id)
            _ = try await client.ok(MintResponse.self, .post, "/v1/mint/bolt11", MintRequest(quote: quote.quote, outputs: outputs.messages))
            await hub.poll()
            let seen = await reader.value
            #expect(seen.count == 7)
            #expect(seen.last?.contains("ISSUED") == true, "\(seen.last ?? "")")
            // The 3 proofs and the quote: the 17 proofs only the dropped client followed are no longer read.
            #expect(await hub.followed == 4)
        }
    }
}
