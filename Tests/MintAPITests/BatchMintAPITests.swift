import CashewAudit
import CashewEncoding
import CashuCrypto
import CashuMint
import CashuProtocol
import Foundation
import Hummingbird
import HummingbirdTesting
import Secp256k1
import TestSupport
import Testing

/// NUT-29 over HTTP: batch check and batch mint, all or nothing.
@Suite("NUT-29 batch mint over HTTP")
struct BatchMintAPITests {
    static func json(_ value: some Encodable) throws -> String { String(decoding: try JSONEncoder().encode(value), as: UTF8.self) }

    /// A paid quote of `amount`, locked to `key` when given.
    static func quote(_ amount: Amount, key: Scalar? = nil, _ client: some TestClientProtocol) async throws -> MintQuoteBolt11Response {
        try await client.ok(
            MintQuoteBolt11Response.self, .post, "/v1/mint/quote/bolt11",
            MintQuoteBolt11Request(amount: amount, unit: .sat, pubkey: try key.map { try $0.publicPoint }))
    }

    static func state(_ id: String, _ client: some TestClientProtocol) async throws -> MintQuoteState {
        try await client.ok(MintQuoteBolt11Response.self, .get, "/v1/mint/quote/bolt11/\(id)").state
    }

    @Test("three quotes (one NUT-20 locked) minted as one: outputs across quotes (5 + 3 → 8), check in order, ISSUED together, replay, clean audit")
    func batch() async throws {
        try await APIHarness.with { h, client in
            let info = try await client.ok(MintInfo.self, .get, "/v1/info")
            #expect(info.nuts?["29"]?["max_batch_size"] == .uint(100))
            #expect(info.nuts?["29"]?["methods"]?.arrayValue == [.string("bolt11")])
            let keyset = try #require(try await client.ok(KeysResponse.self, .get, "/v1/keys").keysets.first)
            let key = try Scalar.random()
            let a = try await Self.quote(5, client), b = try await Self.quote(3, key: key, client), c = try await Self.quote(16, client)
            let checked = try await client.ok([MintQuoteBolt11Response].self, .post, "/v1/mint/quote/bolt11/check", MintQuoteCheckRequest(quotes: [c.quote, a.quote, b.quote]))
            #expect(checked.map(\.quote) == [c.quote, a.quote, b.quote])
            #expect(checked.allSatisfy { $0.state == .paid })

            let outputs = try BlindedOutputs([8, 16], keyset: keyset.id)
            var request = MintBatchRequest(quotes: [a.quote, b.quote, c.quote], quoteAmounts: [5, 3, 16], outputs: outputs.messages)
            let signature = try request.request(forQuote: 1).signed(with: key).signature
            request.signatures = [nil, signature, nil]
            let body = try Self.json(request)
            #expect(body.contains(#""signatures":[null,"#))
            let minted = try await client.call(.post, "/v1/mint/bolt11/batch", json: body)
            #expect(minted.status == .ok, "\(String(decoding: minted.body, as: UTF8.self))")
            let response = try JSONDecoder().decode(MintResponse.self, from: minted.body)
            let proofs = try outputs.proofs(response.signatures) { _, amount in keyset.keys[amount] }
            #expect(proofs.map(\.amount) == [8, 16])
            for q in [a, b, c] { #expect(try await Self.state(q.quote, client) == .issued) }
            // NUT-19: the batch is replayed, not issued again.
            let replay = try await client.call(.post, "/v1/mint/bolt11/batch", json: body)
            #expect(replay.status == .ok && replay.body == minted.body)
            // The proofs are good.
            _ = try await client.ok(SwapResponse.self, .post, "/v1/swap", SwapRequest(inputs: proofs, outputs: try BlindedOutputs([16, 8], keyset: keyset.id).messages))

            // The auditor accepts the batch, with the seed and without; the quotes count as issued once.
            for master in [try ExtendedPrivateKey(seed: Array("api".utf8)), nil] {
                let auditor = LedgerAuditor(options: LedgerAuditor.Options(master: master, now: UInt64(Date().timeIntervalSince1970)))
                let report = try await h.store.withAuditSnapshot { try await auditor.audit($0) }
                #expect(report.findings.filter { $0.severity != .info }.isEmpty, "\(report.findings.map(\.detail))")
            }
        }
    }

    @Test("every refusal leaves every quote PAID: empty, duplicates, too many, unknown, unbalanced, amounts, signatures, one already issued")
    func refusals() async throws {
        try await APIHarness.with { _, client in
            let keyset = try #require(try await client.ok(KeysResponse.self, .get, "/v1/keys").keysets.first)
            let key = try Scalar.random()
            let a = try await Self.quote(4, client), locked = try await Self.quote(4, key: key, client)
            func outs(_ amounts: [Amount]) throws -> [BlindedMessage] { try BlindedOutputs(amounts, keyset: keyset.id).messages }
            let path = "/v1/mint/bolt11/batch"
            try await client.fails(.transactionError, .post, path, MintBatchRequest(quotes: [], outputs: try outs([8])))
            try await client.fails(.duplicateQuoteIDs, .post, path, MintBatchRequest(quotes: [a.quote, a.quote], outputs: try outs([8])))
            try await client.fails(.maxBatchSizeExceeded, .post, path, MintBatchRequest(quotes: (0...100).map { "q\($0)" }, outputs: try outs([8])))
            try await client.fails(.notAllowed, .post, path, MintBatchRequest(quotes: [a.quote, "unknown"], outputs: try outs([8])))
            try await client.fails(.notAllowed, .post, "/v1/mint/quote/bolt11/check", MintQuoteCheckRequest(quotes: [a.quote, "unknown"]))
            try await client.fails(.duplicateQuoteIDs, .post, "/v1/mint/quote/bolt11/check", MintQuoteCheckRequest(quotes: [a.quote, a.quote]))
            let outputs = try outs([8])
            try await client.fails(.transactionUnbalanced, .post, path, MintBatchRequest(quotes: [a.quote], outputs: try outs([8])))
            try await client.fails(.transactionUnbalanced, .post, path, MintBatchRequest(quotes: [a.quote], quoteAmounts: [5], outputs: try outs([4])))
            try await client.fails(.transactionError, .post, path, MintBatchRequest(quotes: [a.quote, locked.quote], quoteAmounts: [8], outputs: outputs))
            // NUT-20: the locked quote without its signature, with a signature by another key, with the array short,
            // and a signature on the unlocked quote.
            try await client.fails(.mintRequestSignatureInvalid, .post, path, MintBatchRequest(quotes: [a.quote, locked.quote], outputs: outputs))
            var request = MintBatchRequest(quotes: [a.quote, locked.quote], outputs: outputs)
            let good = try request.request(forQuote: 1).signed(with: key).signature
            let wrong = try request.request(forQuote: 1).signed(with: try Scalar.random()).signature
            request.signatures = [nil, wrong]
            try await client.fails(.mintRequestSignatureInvalid, .post, path, request)
            request.signatures = [good]
            try await client.fails(.transactionError, .post, path, request)
            request.signatures = [good, good]
            try await client.fails(.mintRequestSignatureInvalid, .post, path, request)
            // A signature over other outputs (the batch's message covers every output).
            let other = MintBatchRequest(quotes: [a.quote, locked.quote], outputs: try outs([8]))
            request.signatures = [nil, try other.request(forQuote: 1).signed(with: key).signature]
            try await client.fails(.mintRequestSignatureInvalid, .post, path, request)
            for q in [a, locked] { #expect(try await Self.state(q.quote, client) == .paid) }

            // One quote already issued: the whole batch is refused and the other stays PAID.
            let single = try BlindedOutputs([4], keyset: keyset.id)
            _ = try await client.ok(MintResponse.self, .post, "/v1/mint/bolt11", MintRequest(quote: a.quote, outputs: single.messages))
            request.signatures = [nil, good]
            try await client.fails(.quoteAlreadyIssued, .post, path, request)
            #expect(try await Self.state(locked.quote, client) == .paid)
            // And the locked one alone still mints, with a signature over its own outputs.
            let alone = MintBatchRequest(quotes: [locked.quote], outputs: try outs([4]))
            var signed = alone
            signed.signatures = [try alone.request(forQuote: 0).signed(with: key).signature]
            _ = try await client.ok(MintResponse.self, .post, path, signed)
            #expect(try await Self.state(locked.quote, client) == .issued)
        }
    }

    @Test("20 rounds of two overlapping batches racing (q1+q2 against q2+q3): exactly one wins, and no quote is issued by both")
    func races() async throws {
        try await APIHarness.with { _, client in
            let keyset = try #require(try await client.ok(KeysResponse.self, .get, "/v1/keys").keysets.first)
            for round in 0..<20 {
                let q = [try await Self.quote(2, client), try await Self.quote(2, client), try await Self.quote(2, client)]
                let first = MintBatchRequest(quotes: [q[0].quote, q[1].quote], outputs: try BlindedOutputs([4], keyset: keyset.id).messages)
                let second = MintBatchRequest(quotes: [q[1].quote, q[2].quote], outputs: try BlindedOutputs([4], keyset: keyset.id).messages)
                async let x = client.call(.post, "/v1/mint/bolt11/batch", json: try Self.json(first))
                async let y = client.call(.post, "/v1/mint/bolt11/batch", json: try Self.json(second))
                let (rx, ry) = try await (x, y)
                #expect([rx.status, ry.status].filter { $0 == .ok }.count == 1, "round \(round)")
                let states = [try await Self.state(q[0].quote, client), try await Self.state(q[1].quote, client), try await Self.state(q[2].quote, client)]
                #expect(states == (rx.status == .ok ? [.issued, .issued, .paid] : [.paid, .issued, .issued]), "round \(round): \(states)")
            }
        }
    }
}
