import CashuProtocol

/// Why a call to a mint failed. A mint's own refusal keeps its NUT code (`mint`), so callers can act on 11001,
/// 20002 and the like; everything else says whether the request may have reached the mint.
public struct MintClientError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The mint answered with a NUT error (`{"detail", "code"}`) and HTTP `status`.
        case mint(CashuError, status: Int)
        /// The mint answered with an HTTP error that is not a NUT error.
        case http(status: Int, body: String)
        /// No usable answer: connection refused, timed out or cut. For a state-changing request the mint may or
        /// may not have carried it out; the wallet must check (NUT-07) or restore (NUT-09) before assuming either.
        case transport(String)
        /// The mint answered 200 with a body that is not the expected response.
        case invalidResponse(String)
    }

    public let kind: Kind
    /// The request, e.g. `POST /v1/swap`.
    public let request: String
    /// The NUT error code when the mint refused the request.
    public let code: CashuError.Code?
    /// Whether the request certainly did not change anything at the mint.
    public let mintRefused: Bool

    public init(_ kind: Kind, request: String) {
        self.kind = kind
        self.request = request
        // Stored, not computed on each use: switching over `kind` where callers cast an error to this type and read
        // it twice crashed the Swift 6.3.1 optimizer in release builds ("Found ownership error").
        switch kind {
        case let .mint(error, status):
            code = error.code
            mintRefused = status < 500
        case let .http(status, _):
            code = nil
            mintRefused = status < 500
        case .transport, .invalidResponse:
            code = nil
            mintRefused = false
        }
    }

    public var description: String {
        switch kind {
        case let .mint(error, _): "\(request): the mint refused: \(error.detail) (code \(error.code.rawValue))"
        case let .http(status, body): "\(request): HTTP \(status)\(body.isEmpty ? "" : ": \(body)")"
        case let .transport(message): "\(request): \(message)"
        case let .invalidResponse(message): "\(request): unexpected response: \(message)"
        }
    }
}
