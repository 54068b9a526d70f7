import CashuProtocol

/// The ledger (or another service the mint depends on) could not be reached. Nothing changed; the request may be
/// retried. The HTTP layer answers 503 with `error` as the body, so wallets can tell it from a refusal.
public struct MintUnavailableError: Error, Sendable {
    public let error: CashuError

    public init(error: CashuError) {
        self.error = error
    }
}
