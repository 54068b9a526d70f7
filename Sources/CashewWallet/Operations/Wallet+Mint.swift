import CashuCrypto
import CashuProtocol
import Foundation

extension Wallet {
    /// Asks `mintURL` for a bolt11 mint quote of `amount` (the invoice to pay is in `request`).
    public func requestMint(amount: Amount, unit: CurrencyUnit = .sat, mintURL: String) async throws -> MintQuoteBolt11Response {
        _ = try await activeKeyset(MintClient(url: mintURL).url, unit: unit)
        return try await client(mintURL).createMintQuote(MintQuoteBolt11Request(amount: amount, unit: unit))
    }

    /// Waits until the quote is paid (polling), up to `timeout`.
    public func waitUntilPaid(quote: String, mintURL: String, timeout: Duration = .seconds(600), poll: Duration = .milliseconds(500)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let state = try await client(mintURL).mintQuote(id: quote).state
            if state == .paid || state == .issued { return }
            guard clock.now < deadline else { throw WalletError(.timeout, "the invoice of quote \(quote) was not paid in time") }
            try await Task.sleep(for: poll)
        }
    }

    /// Mints the paid quote's `amount` into new proofs (NUT-04), journaled: if the answer is lost, the proofs are
    /// recovered later from the recorded outputs.
    @discardableResult
    public func mint(quote: String, amount: Amount, unit: CurrencyUnit = .sat, mintURL: String) async throws -> [Proof] {
        let client = client(mintURL)
        let keyset = try await activeKeyset(client.url, unit: unit)
        let outputs = try await prepare(amount.powersOfTwo, keyset: keyset)
        let operation = try await store.beginOperation(
            .mint, mintURL: client.url, data: try Self.json(Journal(quote: quote, outputs: [outputs.journal])))
        let response: MintResponse
        do {
            response = try await client.mint(MintRequest(quote: quote, outputs: outputs.messages))
        } catch let error as MintClientError where error.mintRefused {
            try await closeRefused(operation.id, client: client)
            throw error
        }
        let proofs = try outputs.proofs(response.signatures)
        try await store.finishOperation(
            operation.id, state: .done, inputsTo: .spent, newProofs: proofs, mintURL: client.url,
            history: HistoryEntry(kind: "minted", mintURL: client.url, unit: unit, amount: amount, createdAt: Self.now()))
        return proofs
    }
}
