import CashuProtocol
import Foundation
import Secp256k1

/// What a NUT-17 subscription follows.
public enum SubscriptionKind: String, Sendable, CaseIterable {
    case bolt11MintQuote = "bolt11_mint_quote"
    case bolt11MeltQuote = "bolt11_melt_quote"
    case proofState = "proof_state"
}

/// The current state of one subscribed object, as a NUT-17 notification carries it.
public struct SubscriptionPayload: Sendable, Equatable {
    /// The payload's JSON (keys sorted, so that equal states are equal bytes).
    public var json: String
    /// True when the object can no longer change (an ISSUED mint quote, a PAID melt quote, a SPENT proof).
    public var final: Bool
}

extension Mint {
    /// The payload of `filter` for a subscription of `kind`, read from the ledger alone (no backend is asked): a mint
    /// quote as `GET /v1/mint/quote/bolt11/{id}` gives it, a melt quote as `GET /v1/melt/quote/bolt11/{id}`, a proof's
    /// state as one entry of `POST /v1/checkstate`. Nil for a quote that does not exist or a `Y` that is not a point.
    public func subscriptionPayload(_ kind: SubscriptionKind, filter: String) async throws -> SubscriptionPayload? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch kind {
        case .bolt11MintQuote:
            guard let quote = try await ledger({ try await store.mintQuote(id: filter) }) else { return nil }
            return SubscriptionPayload(json: String(decoding: try encoder.encode(response(quote)), as: UTF8.self), final: quote.state == .issued)
        case .bolt11MeltQuote:
            guard let quote = try await ledger({ try await store.meltQuote(id: filter) }) else { return nil }
            let answer = response(quote, change: try await change(of: quote))
            return SubscriptionPayload(json: String(decoding: try encoder.encode(answer), as: UTF8.self), final: quote.state == .paid)
        case .proofState:
            guard filter.count == 66, let y = try? Point(hex: filter) else { return nil }
            guard let entry = try await checkState(CheckStateRequest(ys: [y])).states.first else { return nil }
            return SubscriptionPayload(json: String(decoding: try encoder.encode(entry), as: UTF8.self), final: entry.state == .spent)
        }
    }
}
