import CashuMint
import Foundation
import Testing

/// The NUT-19 cache in the ledger: one claim per key, answers replayed until they expire, dead claims taken over.
@Suite("Cached responses in the ledger (SQLite and PostgreSQL)")
struct ResponseCacheConformanceTests {
    static func cache(_ store: any MintStore) throws -> any ResponseCache {
        try #require(store as? any ResponseCache)
    }

    @Test("claim, busy, answer, replay, release, expiry, takeover of a dead claim, sweep", arguments: StoreKind.available)
    func lifecycle(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let cache = try Self.cache(store)
            let now: UInt64 = 1_800_000_000
            func claim(_ key: String, _ owner: String, at time: UInt64 = now) async throws -> ResponseClaim {
                try await cache.claimResponse(key: key, endpoint: "/v1/swap", owner: owner, now: time, staleBefore: time - 600)
            }
            #expect(try await claim("k1", "a") == .claimed)
            #expect(try await claim("k1", "b") == .busy)
            // Only the owner completes; a failed owner's release is the owner's alone.
            try await cache.releaseResponse(key: "k1", owner: "b")
            #expect(try await claim("k1", "b") == .busy)
            let answer = Array(#"{"signatures":[]}"#.utf8) + [0, 255, 10]
            try await cache.completeResponse(key: "k1", endpoint: "/v1/swap", owner: "a", response: answer, now: now, expiresAt: now + 60)
            #expect(try await claim("k1", "b") == .cached(answer))
            #expect(try await claim("k1", "c", at: now + 59) == .cached(answer))
            // Expired: the next request processes afresh.
            #expect(try await claim("k1", "c", at: now + 60) == .claimed)
            try await cache.releaseResponse(key: "k1", owner: "c")
            #expect(try await claim("k1", "d", at: now + 61) == .claimed)

            // A claim whose owner died is taken over after the lease, not before.
            #expect(try await claim("k2", "dead") == .claimed)
            #expect(try await claim("k2", "e", at: now + 600) == .busy)
            #expect(try await claim("k2", "e", at: now + 601) == .claimed)
            // The dead owner's late answer still lands (its operation was done); the taker's release then drops nothing.
            try await cache.completeResponse(key: "k2", endpoint: "/v1/swap", owner: "dead", response: [1], now: now + 602, expiresAt: now + 700)
            try await cache.releaseResponse(key: "k2", owner: "e")
            #expect(try await claim("k2", "f", at: now + 603) == .cached([1]))

            // The sweep drops expired answers and dead claims only.
            #expect(try await claim("k3", "g") == .claimed)
            try await cache.completeResponse(key: "k4", endpoint: "/v1/melt/bolt11", owner: "h", response: [2], now: now, expiresAt: now + 10_000)
            let swept = try await cache.sweepResponses(now: now + 1000, staleBefore: now + 400)
            // k1 (d's claim at now+61), k2 (expired at now+700) and k3 (claimed at now) go; k4 stays.
            #expect(swept == 3)
            #expect(try await claim("k4", "i", at: now + 1000) == .cached([2]))
            #expect(try await claim("k3", "i", at: now + 1000) == .claimed)
        }
    }

    @Test("20 rounds of 16 identical requests at once: exactly one claims each key, the others wait and get its answer", arguments: StoreKind.available)
    func races(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let cache = try Self.cache(store)
            let now: UInt64 = 1_800_000_000
            for round in 0..<20 {
                let key = "race-\(round)"
                let outcomes = try await withThrowingTaskGroup(of: ResponseClaim.self) { group in
                    for i in 0..<16 {
                        group.addTask {
                            try await cache.claimResponse(key: key, endpoint: "/v1/swap", owner: "o\(i)", now: now, staleBefore: now - 600)
                        }
                    }
                    return try await group.reduce(into: [ResponseClaim]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 == .claimed }.count == 1, "round \(round): \(outcomes)")
                #expect(outcomes.filter { $0 == .busy }.count == 15, "round \(round)")
            }
        }
    }

    @Test("the operation a swap or mint request repeats is found only when it spent all the inputs and signed all the outputs; 10 rounds of 12 concurrent swaps", arguments: StoreKind.available)
    func swapReplayLookup(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let cache = try Self.cache(store)
            let inputs = [Records.proof(), Records.proof()], outputs = [Records.signature(), Records.signature()]
            let op = Records.operation()
            try await store.swap(inputs: inputs, outputs: outputs, operation: op)
            let ys = inputs.map(\.y), bs = outputs.map(\.blindedMessage)
            let found = try #require(try await cache.answeringOperation(inputs: ys, outputs: bs))
            #expect(found.id == op.id && found.createdAt == op.createdAt && found.kind == .swap && found.quoteID == nil)
            // Order and repetition do not matter; anything more or other does.
            #expect(try await cache.answeringOperation(inputs: ys.reversed(), outputs: bs.reversed() + [bs[0]])?.id == op.id)
            #expect(try await cache.answeringOperation(inputs: ys, outputs: bs + [Records.point()]) == nil)
            #expect(try await cache.answeringOperation(inputs: ys + [Records.point()], outputs: bs) == nil)
            #expect(try await cache.answeringOperation(inputs: [ys[0]] + [Records.proof().y], outputs: bs) == nil)
            #expect(try await cache.answeringOperation(inputs: ys, outputs: []) == nil)
            // A mint's outputs name the mint and its quote; with inputs it spent none of, nothing.
            let quote = Records.mintQuote(8)
            try await store.addMintQuote(quote)
            _ = try await store.markMintQuotePaid(id: quote.id, at: Records.now)
            let minted = [Records.signature()]
            try await store.issueMintQuote(id: quote.id, outputs: minted, operation: Records.operation(.mint, quote: quote.id))
            #expect(try await cache.answeringOperation(inputs: ys, outputs: minted.map(\.blindedMessage)) == nil)
            let mintOp = try #require(try await cache.answeringOperation(inputs: [], outputs: minted.map(\.blindedMessage)))
            #expect(mintOp.kind == .mint && mintOp.quoteID == quote.id)

            // Concurrent swaps, some sharing an input (PostgreSQL batches them): every committed swap is found, no
            // refused one is.
            for round in 0..<10 {
                let shared = Records.proof()
                let results = await withTaskGroup(of: ([String], [String], Bool).self) { group in
                    for i in 0..<12 {
                        let ins = i % 3 == 0 ? [shared, Records.proof()] : [Records.proof()]
                        let outs = [Records.signature()]
                        group.addTask {
                            do {
                                try await store.swap(inputs: ins, outputs: outs, operation: Records.operation())
                                return (ins.map(\.y), outs.map(\.blindedMessage), true)
                            } catch {
                                return (ins.map(\.y), outs.map(\.blindedMessage), false)
                            }
                        }
                    }
                    return await group.reduce(into: [([String], [String], Bool)]()) { $0.append($1) }
                }
                #expect(results.filter { !$0.2 }.count == 3, "round \(round): of the 4 swaps sharing an input, one commits")
                for (ys, bs, committed) in results {
                    #expect((try await cache.answeringOperation(inputs: ys, outputs: bs) != nil) == committed, "round \(round)")
                }
            }
        }
    }
}
