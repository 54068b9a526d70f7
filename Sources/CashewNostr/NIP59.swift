import CashewEncoding
import FoundationEssentials
import Secp256k1

/// NIP-59 gift wraps: a rumor (unsigned event) sealed by its author (kind 13, NIP-44 to the recipient, no tags) and
/// wrapped by a one-time key (kind 1059, NIP-44 to the recipient, tagged `p` with the recipient). The seal's and the
/// wrap's times are set up to two days in the past, against time analysis.
public enum NIP59 {
    /// How far back a seal and a gift wrap are dated (a random time up to this many seconds ago), so that readers
    /// ask for wraps from that much before what they look for.
    public static let twoDays: UInt64 = 2 * 24 * 60 * 60

    /// What unwrapping found: the rumor and the author who sealed it (whose key the rumor must carry).
    public struct Unwrapped: Sendable, Hashable {
        public var rumor: NostrEvent
        public var author: String
    }

    /// Wraps `rumor` (an unsigned event by `author`) for `recipient` (hex x-only key).
    public static func wrap(_ rumor: NostrEvent, author: Scalar, recipient: String, now: UInt64, wrapKind: Int = 1059) throws -> NostrEvent {
        var rumor = rumor
        rumor.sig = nil
        guard rumor.pubkey == Hex.encode(try author.publicPoint.xOnly) else { throw NostrEvent.Failure("the rumor is not by the sealing author") }
        guard let recipientKey = Hex.decode(recipient), recipientKey.count == 32 else { throw NostrEvent.Failure("the recipient is a 32-byte hex key") }
        let sealKey = try NIP44.conversationKey(secretKey: author.bytes, publicKey: recipientKey)
        let seal = try NostrEvent.signed(
            secretKey: author, createdAt: randomPast(now), kind: 13, tags: [], content: try NIP44.encrypt(rumor.json, conversationKey: sealKey))
        let ephemeral = Scalar.random()
        let wrapKey = try NIP44.conversationKey(secretKey: ephemeral.bytes, publicKey: recipientKey)
        return try NostrEvent.signed(
            secretKey: ephemeral, createdAt: randomPast(now), kind: wrapKind, tags: [["p", recipient]],
            content: try NIP44.encrypt(seal.json, conversationKey: wrapKey))
    }

    /// Unwraps a gift wrap addressed to `recipient`'s key: both signatures and IDs are checked, the seal must have no
    /// tags, and the rumor must be by the seal's signer (else anyone could put words in another's mouth).
    public static func unwrap(_ wrap: NostrEvent, recipient: Scalar) throws -> Unwrapped {
        guard wrap.kind == 1059 || wrap.kind == 21059 else { throw NostrEvent.Failure("not a gift wrap (kind \(wrap.kind))") }
        try wrap.verify()
        let seal = try NostrEvent(json: try NIP44.decrypt(wrap.content, conversationKey: try key(recipient, wrap.pubkey)))
        guard seal.kind == 13, seal.tags.isEmpty else { throw NostrEvent.Failure("the wrap does not hold a seal") }
        try seal.verify()
        let rumor = try NostrEvent(json: try NIP44.decrypt(seal.content, conversationKey: try key(recipient, seal.pubkey)))
        try rumor.verify(signed: false)
        guard rumor.pubkey == seal.pubkey else { throw NostrEvent.Failure("the rumor's author is not the seal's signer") }
        return Unwrapped(rumor: rumor, author: seal.pubkey)
    }

    static func key(_ secret: Scalar, _ pubkeyHex: String) throws -> [UInt8] {
        guard let pub = Hex.decode(pubkeyHex), pub.count == 32 else { throw NostrEvent.Failure("a public key is 32 bytes of hex") }
        return try NIP44.conversationKey(secretKey: secret.bytes, publicKey: pub)
    }

    static func randomPast(_ now: UInt64) -> UInt64 { now - UInt64.random(in: 0...min(now, twoDays)) }
}
