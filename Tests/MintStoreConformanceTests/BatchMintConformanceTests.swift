import CashuCrypto
import CashuMint
import Foundation
import Testing

/// NUT-29 in the ledger: a batch issues every quote with its signatures in one step, or nothing.
@Suite("Batch mints in the ledger (SQLite and PostgreSQL)")
struct BatchMintConformanceTests {
    static func paidQuotes(_ n: Int, _ store: any MintStore) async throws -> [MintQuoteRecord] {
        var quotes = [MintQuoteRecord]()
        for _ in 0..<n {
            let q = Records.mintQuote(2)
            try await store.addMintQuote(q)
            #expect(try await store.markMintQuotePaid(id: q.id, at: Records.now))
            quotes.append(q)
        }
        return quotes
    }

    @Test("all or none: one quote not PAID, or an output signed before, leaves every quote PAID and nothing recorded", arguments: StoreKind.available)
    func allOrNone(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            let quotes = try await Self.paidQuotes(3, store)
            let unpaid = Records.mintQuote(2)
            try await store.addMintQuote(unpaid)
            let ids = quotes.map(\.id)
            func operation(_ list: [String]) -> OperationRecord { Records.operation(.mint, quote: list.joined(separator: ",")) }
            let outputs = [Records.signature(6)]
            await expectStoreError(.quoteState) { try await store.issueMintQuotes(ids: ids + [unpaid.id], outputs: outputs, operation: operation(ids + [unpaid.id])) }
            await expectStoreError(.quoteState) { try await store.issueMintQuotes(ids: ids + ["missing"], outputs: outputs, operation: operation(ids + ["missing"])) }
            // An output signed before.
            let signed = Records.signature(2)
            try await store.swap(inputs: [Records.proof(2)], outputs: [signed], operation: Records.operation())
            await expectStoreError(.outputsSigned) { try await store.issueMintQuotes(ids: ids, outputs: [signed, Records.signature(4)], operation: operation(ids)) }
            for q in quotes { #expect(try await store.mintQuote(id: q.id)?.state == .paid) }
            #expect(try await store.signatures(blindedMessages: outputs.map(\.blindedMessage)).isEmpty)

            try await store.issueMintQuotes(ids: ids, outputs: outputs, operation: operation(ids))
            for q in quotes { #expect(try await store.mintQuote(id: q.id)?.state == .issued) }
            #expect(try await store.signatures(blindedMessages: outputs.map(\.blindedMessage)).count == 1)
            await expectStoreError(.quoteState) { try await store.issueMintQuotes(ids: [ids[0]], outputs: [Records.signature(2)], operation: operation([ids[0]])) }
        }
    }

    @Test("15 rounds of 8 batches racing over overlapping quotes: the winners' quotes are disjoint and each issued quote is in exactly one", arguments: StoreKind.available)
    func races(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { store in
            for round in 0..<15 {
                let quotes = try await Self.paidQuotes(6, store).map(\.id)
                // Batch i takes quotes i % 6 and (i + 1) % 6 (and i + 3 for the even ones): they overlap in turns.
                var batches = [[String]]()
                for i in 0..<8 {
                    var batch: Set<String> = [quotes[i % 6], quotes[(i + 1) % 6]]
                    if i % 2 == 0 { batch.insert(quotes[(i + 3) % 6]) }
                    batches.append(Array(batch).shuffled())
                }
                let won = await withTaskGroup(of: [String]?.self) { group in
                    for batch in batches {
                        group.addTask {
                            do {
                                try await store.issueMintQuotes(
                                    ids: batch, outputs: [Records.signature(Amount(UInt64(2 * batch.count)))],
                                    operation: Records.operation(.mint, quote: batch.joined(separator: ",")))
                                return batch
                            } catch {
                                return nil
                            }
                        }
                    }
                    return await group.reduce(into: [[String]]()) { if let b = $1 { $0.append(b) } }
                }
                #expect(!won.isEmpty, "round \(round)")
                let issued = won.flatMap { $0 }
                #expect(Set(issued).count == issued.count, "round \(round): a quote in two winning batches")
                for id in quotes {
                    let state = try await store.mintQuote(id: id)?.state
                    #expect(state == (issued.contains(id) ? .issued : .paid), "round \(round)")
                }
            }
        }
    }
}
