import Crypto
import CashewEncoding

/// A bearer value (a quote ID, a token, a preimage) as it may appear in a log: a short tag of its SHA-256, so that
/// lines about the same quote can be matched and an operator can look a known ID up, but a log reader cannot use
/// it. `"quote": "\(Redacted(quote.id))"` logs `sha256:3f9a1c2b7d4e`.
public struct Redacted: CustomStringConvertible, Sendable {
    public let description: String

    public init(_ secret: String) {
        description = "sha256:" + Hex.encode(Array(SHA256.hash(data: Array(secret.utf8)).prefix(6)))
    }
}
