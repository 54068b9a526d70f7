import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

@Suite("Mint client against cashew-mint")
struct MintClientTests {
    /// A running `cashew-mint` (SQLite, fake Lightning paying invoices after 1 s) for `body`.
    static func withMint(_ body: (MintClient) async throws -> Void) async throws {
        try await CashewMintProcess.with { mint in
            try await body(MintClient(url: mint.url + "/"))
        }
    }

    @Test("reads, quotes, mint, swap, checkstate and restore; the mint's refusals keep their NUT codes")
    func flow() async throws {
        try await Self.withMint { client in
            let info = try await client.info()
            #expect(info.name == "Cashew mint")
            let keys = try await client.keys()
            let keyset = try #require(keys.keysets.first { $0.unit == .sat })
            // The keyset ID is what the keys say it is (NUT-02).
            #expect(keyset.id == KeysetID.v2(keys: keyset.keys, unit: .sat, inputFeePPK: keyset.inputFeePPK ?? 0, finalExpiry: keyset.finalExpiry))
            #expect(try await client.keysets().keysets.contains { $0.id == keyset.id && $0.active })
            #expect(try await client.keys(keyset.id).keysets.first?.keys == keyset.keys)

            let quote = try await client.createMintQuote(MintQuoteBolt11Request(amount: 8, unit: .sat))
            var state = quote.state
            for _ in 0..<50 where state != .paid {
                try await Task.sleep(for: .milliseconds(100))
                state = try await client.mintQuote(id: quote.quote).state
            }
            #expect(state == .paid)
            let outputs = try BlindedOutputs([8], keyset: keyset.id)
            let minted = try await client.mint(MintRequest(quote: quote.quote, outputs: outputs.messages))
            let proofs = try outputs.proofs(minted.signatures) { _, amount in keyset.keys[amount] }
            // Minting the same quote again is refused with its NUT code, and nothing changed.
            do {
                _ = try await client.mint(MintRequest(quote: quote.quote, outputs: try BlindedOutputs([8], keyset: keyset.id).messages))
                Issue.record("a second mint of one quote succeeded")
            } catch let error as MintClientError {
                #expect(error.code == .quoteAlreadyIssued && error.mintRefused)
            }

            let change = try BlindedOutputs([4, 4], keyset: keyset.id)
            let swapped = try await client.swap(SwapRequest(inputs: proofs, outputs: change.messages))
            #expect(swapped.signatures.count == 2)
            do {
                _ = try await client.swap(SwapRequest(inputs: proofs, outputs: try BlindedOutputs([8], keyset: keyset.id).messages))
                Issue.record("a double spend succeeded")
            } catch let error as MintClientError {
                #expect(error.code == .proofsAlreadySpent && error.mintRefused)
                #expect(error.description.contains("11001"))
            }
            let states = try await client.checkState(CheckStateRequest(ys: proofs.map { try $0.y }))
            #expect(states.states.map(\.state) == [.spent])
            let restored = try await client.restore(RestoreRequest(outputs: change.messages))
            #expect(restored.signatures == swapped.signatures)
        }
    }

    @Test("an unreachable mint is a transport error, never a refusal")
    func unreachable() async throws {
        let port = try FreePort.find()
        let client = MintClient(url: "http://127.0.0.1:\(port)", timeout: .seconds(2), attempts: 2)
        do {
            _ = try await client.info()
            Issue.record("no mint listens there")
        } catch let error as MintClientError {
            guard case .transport = error.kind else { Issue.record("expected a transport error, got \(error)"); return }
            #expect(!error.mintRefused && error.code == nil)
        }
    }
}
