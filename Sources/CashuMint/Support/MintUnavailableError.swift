import CashuProtocol

/// The ledger (or another service the mint depends on) could not be reached. Nothing changed; the request may be
/// retried. The HTTP layer answers 503 with `error` as the body, so wallets can tell it from a refusal.
public struct MintUnavailableError: Error, Sendable {
    public let error: CashuError

    public init(error: CashuError) {
        self.error = error
    }
}

extension MintUnavailableError {
    /// The payment backend is down or did not answer (HTTP 503, code 11000): one wording for every quote and melt.
    static func lightning(_ reason: any Error) -> MintUnavailableError {
        MintUnavailableError(error: CashuError(.transactionError, "the Lightning backend is unavailable: \(reason)"))
    }
}
