import CashewEncoding
import Secp256k1

/// NIP-17 private direct messages: a kind-14 rumor (unsigned, tagged `p` with the recipient) sealed and gift-wrapped
/// to the recipient (NIP-59). Relays see only a one-time key, the recipient's key and a time up to two days back.
public enum NIP17 {
    /// The rumor's kind: a chat message.
    public static let chatKind = 14

    /// A message that was opened: who sealed it, what it says, and when the sender dated it.
    public struct Message: Sendable, Hashable {
        /// The sender's x-only key, hex (the seal's signer, which the rumor must name).
        public var sender: String
        public var content: String
        public var createdAt: UInt64
        /// The gift wrap's event ID (what relays know it by).
        public var wrapID: String
    }

    /// A gift wrap carrying `content` from `sender` to `recipient` (x-only hex key).
    public static func wrap(_ content: String, from sender: Scalar, to recipient: String, now: UInt64) throws -> NostrEvent {
        let rumor = NostrEvent(
            pubkey: Hex.encode(try sender.publicPoint.xOnly), createdAt: now, kind: chatKind, tags: [["p", recipient]], content: content)
        return try NIP59.wrap(rumor, author: sender, recipient: recipient, now: now)
    }

    /// Opens a gift wrap addressed to `recipient`; only a kind-14 rumor is a message.
    public static func open(_ wrap: NostrEvent, recipient: Scalar) throws -> Message {
        let unwrapped = try NIP59.unwrap(wrap, recipient: recipient)
        guard unwrapped.rumor.kind == chatKind else { throw NostrEvent.Failure("the gift wrap holds a kind \(unwrapped.rumor.kind), not a message") }
        return Message(sender: unwrapped.author, content: unwrapped.rumor.content, createdAt: unwrapped.rumor.createdAt, wrapID: wrap.id)
    }

    /// The filter for gift wraps to `recipient` since `since` (the wraps' times are up to two days before the
    /// message was sent, so the window opens two days earlier).
    public static func inbox(_ recipient: String, since: UInt64?) -> NostrFilter {
        NostrFilter(kinds: [1059], tags: ["p": [recipient]], since: since.map { $0 > NIP59.twoDays ? $0 - NIP59.twoDays : 0 })
    }
}
