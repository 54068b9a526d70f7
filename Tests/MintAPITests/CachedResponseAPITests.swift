import CashewEncoding
import CashuCrypto
import CashuMint
import CashuProtocol
import Foundation
import Synchronization
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import CashewSQLiteStore

/// NUT-19 over HTTP: a replayed swap, mint or melt gets its original answer, byte for byte, and is never carried
/// out twice.
@Suite("NUT-19 cached responses over HTTP")
struct CachedResponseAPITests {
    static func json(_ value: some Encodable) throws -> String { String(decoding: try JSONEncoder().encode(value), as: UTF8.self) }

    @Test("info advertises NUT-19 with the TTL and the three endpoints; with response_cache_ttl = 0 it does not, and a replay is a double spend")
    func advertised() async throws {
        try await APIHarness.with { _, client in
            let info = try await client.ok(MintInfo.self, .get, "/v1/info")
            let nut19 = try #require(info.nuts?["19"])
            #expect(nut19["ttl"] == .uint(604_800))
            let endpoints = try #require(nut19["cached_endpoints"]?.arrayValue).map { "\($0["method"]?.stringValue ?? "") \($0["path"]?.stringValue ?? "")" }
            #expect(endpoints == ["POST /v1/swap", "POST /v1/mint/bolt11", "POST /v1/mint/bolt11/batch", "POST /v1/melt/bolt11"])
        }
        var off = MintSettings()
        off.responseCacheTTL = 0
        try await APIHarness.with(settings: off) { _, client in
            #expect(try await client.ok(MintInfo.self, .get, "/v1/info").nuts?["19"] == nil)
            let proofs = try await MintAPITests.mint(8, client)
            let keyset = try #require(try await client.ok(KeysResponse.self, .get, "/v1/keys").keysets.first)
            let body = try Self.json(SwapRequest(inputs: proofs, outputs: try BlindedOutputs([8], keyset: keyset.id).messages))
            #expect(try await client.call(.post, "/v1/swap", json: body).status == .ok)
            try await client.fails(.proofsAlreadySpent, .post, "/v1/swap", json: body)
        }
    }

    @Test("swap, mint and melt replayed: the same bytes back, no second signing or payment; a swap respelled is the same swap, one with other outputs or inputs a double spend; errors are not kept")
    func replays() async throws {
        try await APIHarness.with { h, client in
            let keyset = try #require(try await client.ok(KeysResponse.self, .get, "/v1/keys").keysets.first)
            // Mint: the quote is issued once; the replay is not 20002.
            let quote = try await client.ok(MintQuoteBolt11Response.self, .post, "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 64, unit: .sat))
            let minted = try BlindedOutputs(Amount(64).powersOfTwo, keyset: keyset.id)
            let mintBody = try Self.json(MintRequest(quote: quote.quote, outputs: minted.messages))
            let first = try await client.call(.post, "/v1/mint/bolt11", json: mintBody)
            #expect(first.status == .ok)
            let again = try await client.call(.post, "/v1/mint/bolt11", json: mintBody)
            #expect(again.status == .ok && again.body == first.body)
            let proofs = try minted.proofs(try JSONDecoder().decode(MintResponse.self, from: first.body).signatures) { _, a in keyset.keys[a] }

            // Swap: replayed three times, one answer; the same swap written differently gets it too (it is answered from
            // the swap's own record); the same inputs with other outputs are spent, other inputs with its outputs signed.
            let outputs = try BlindedOutputs([32, 16, 8, 8], keyset: keyset.id)
            let swapBody = try Self.json(SwapRequest(inputs: proofs, outputs: outputs.messages))
            let swapped = try await client.call(.post, "/v1/swap", json: swapBody)
            #expect(swapped.status == .ok)
            for _ in 0..<3 {
                let replay = try await client.call(.post, "/v1/swap", json: swapBody)
                #expect(replay.status == .ok && replay.body == swapped.body)
            }
            let respelled = try await client.call(.post, "/v1/swap", json: " " + swapBody + "\n")
            #expect(respelled.status == .ok && respelled.body == swapped.body)
            try await client.fails(.proofsAlreadySpent, .post, "/v1/swap", SwapRequest(inputs: proofs, outputs: try BlindedOutputs([32, 16, 8, 8], keyset: keyset.id).messages))
            let others = try await MintAPITests.mint(64, client)
            try await client.fails(.outputsAlreadySigned, .post, "/v1/swap", SwapRequest(inputs: others, outputs: outputs.messages))
            let fresh = try outputs.proofs(try JSONDecoder().decode(SwapResponse.self, from: swapped.body).signatures) { _, a in keyset.keys[a] }

            // An error is not cached and leaves no claim behind: the same bytes get the same error at once (a claim
            // left behind would make the second attempt wait and answer 11002).
            let firstFresh = try #require(fresh.first)
            let unbalanced = try Self.json(SwapRequest(inputs: [firstFresh], outputs: try BlindedOutputs([1], keyset: keyset.id).messages))
            try await client.fails(.transactionUnbalanced, .post, "/v1/swap", json: unbalanced)
            try await client.fails(.transactionUnbalanced, .post, "/v1/swap", json: unbalanced)

            // Melt: paid once; the replay gets the PAID answer with the same change.
            let invoice = try MintAPITestsSupport.externalInvoice(sat: 40)
            let meltQuote = try await client.ok(MeltQuoteBolt11Response.self, .post, "/v1/melt/quote/bolt11", MeltQuoteBolt11Request(request: invoice, unit: .sat))
            let meltBody = try Self.json(MeltRequest(quote: meltQuote.quote, inputs: fresh, outputs: try BlindedOutputs(Array(repeating: 1, count: 5), keyset: keyset.id).messages))
            let melted = try await client.call(.post, "/v1/melt/bolt11", json: meltBody)
            #expect(melted.status == .ok)
            #expect(try JSONDecoder().decode(MeltQuoteBolt11Response.self, from: melted.body).state == .paid)
            let meltReplay = try await client.call(.post, "/v1/melt/bolt11", json: meltBody)
            #expect(meltReplay.status == .ok && meltReplay.body == melted.body)

            // The ledger holds each operation once: 64 minted, 64 swapped, 64 melted for 40 and the change.
            let change = try JSONDecoder().decode(MeltQuoteBolt11Response.self, from: melted.body).change ?? []
            let totals = try await h.store.auditTotals()
            #expect(totals.keysets.values.reduce(0) { $0 + $1.redeemed } == 128)
            #expect(totals.keysets.values.reduce(0) { $0 + $1.issued } == 128 + 64 + UInt128(change.reduce(0) { $0 + $1.amount.rawValue }))
        }
    }

    @Test("10 rounds of 12 identical swaps at once: one answer for all, none refused")
    func concurrentReplays() async throws {
        try await APIHarness.with { _, client in
            let keyset = try #require(try await client.ok(KeysResponse.self, .get, "/v1/keys").keysets.first)
            for round in 0..<10 {
                let proofs = try await MintAPITests.mint(16, client)
                let body = try Self.json(SwapRequest(inputs: proofs, outputs: try BlindedOutputs([8, 4, 4], keyset: keyset.id).messages))
                let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, Data).self) { group in
                    for _ in 0..<12 { group.addTask { try await client.call(.post, "/v1/swap", json: body) } }
                    return try await group.reduce(into: [(HTTPResponse.Status, Data)]()) { $0.append($1) }
                }
                // One swap commits; every other request finds it in the ledger and gets its answer.
                #expect(answers.allSatisfy { $0.0 == .ok }, "round \(round): \(answers.filter { $0.0 != .ok }.map { String(decoding: $0.1, as: UTF8.self).prefix(160) })")
                #expect(Set(answers.map(\.1)).count == 1, "round \(round)")
            }
        }
    }

    @Test("swap and mint answers come from the ledger: replayed after the cache table is emptied (as a PostgreSQL crash empties it), refused once the TTL has passed")
    func answersFromLedger() async throws {
        var settings = MintSettings()
        settings.responseCacheTTL = 60
        let now = Mutex(Date().timeIntervalSince1970)
        try await APIHarness.with(settings: settings, clock: MintClock(time: { now.withLock { $0 } })) { h, client in
            let keyset = try #require(try await client.ok(KeysResponse.self, .get, "/v1/keys").keysets.first)
            let quote = try await client.ok(MintQuoteBolt11Response.self, .post, "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 16, unit: .sat))
            let minted = try BlindedOutputs([8, 8], keyset: keyset.id)
            let mintBody = try Self.json(MintRequest(quote: quote.quote, outputs: minted.messages))
            let mintAnswer = try await client.call(.post, "/v1/mint/bolt11", json: mintBody)
            #expect(mintAnswer.status == .ok)
            let proofs = try minted.proofs(try JSONDecoder().decode(MintResponse.self, from: mintAnswer.body).signatures) { _, a in keyset.keys[a] }
            let swapBody = try Self.json(SwapRequest(inputs: proofs, outputs: try BlindedOutputs([4, 4, 8], keyset: keyset.id).messages))
            let swapAnswer = try await client.call(.post, "/v1/swap", json: swapBody)
            #expect(swapAnswer.status == .ok)
            _ = try await h.store.transaction { db in try await db.query("DELETE FROM cached_responses") }
            let mintReplay = try await client.call(.post, "/v1/mint/bolt11", json: mintBody)
            #expect(mintReplay.status == .ok && mintReplay.body == mintAnswer.body)
            let swapReplay = try await client.call(.post, "/v1/swap", json: swapBody)
            #expect(swapReplay.status == .ok && swapReplay.body == swapAnswer.body)
            // Past the TTL a replay is what it is without NUT-19: already issued, already spent.
            now.withLock { $0 += 61 }
            try await client.fails(.quoteAlreadyIssued, .post, "/v1/mint/bolt11", json: mintBody)
            try await client.fails(.proofsAlreadySpent, .post, "/v1/swap", json: swapBody)
        }
    }
}
