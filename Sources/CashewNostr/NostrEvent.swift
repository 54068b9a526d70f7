import CashewEncoding
import Crypto
import FoundationEssentials
import Secp256k1

/// A Nostr event (NIP-01). A rumor (NIP-59) is an event with an `id` and no `sig`.
public struct NostrEvent: Codable, Sendable, Hashable {
    /// SHA-256 of the canonical serialization, hex.
    public var id: String
    /// The author's x-only public key, hex.
    public var pubkey: String
    public var createdAt: UInt64
    public var kind: Int
    public var tags: [[String]]
    public var content: String
    /// BIP-340 signature of the ID, hex; nil for a rumor.
    public var sig: String?

    enum CodingKeys: String, CodingKey {
        case id, pubkey, kind, tags, content, sig
        case createdAt = "created_at"
    }

    /// Why an event was refused.
    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// An unsigned event by `pubkey` (hex x-only) with its ID computed.
    public init(pubkey: String, createdAt: UInt64, kind: Int, tags: [[String]] = [], content: String) {
        self.pubkey = pubkey
        self.createdAt = createdAt
        self.kind = kind
        self.tags = tags
        self.content = content
        self.id = ""
        self.sig = nil
        self.id = computedID
    }

    /// A signed event by `secretKey`.
    public static func signed(secretKey: Scalar, createdAt: UInt64, kind: Int, tags: [[String]] = [], content: String) throws -> NostrEvent {
        var event = NostrEvent(pubkey: Hex.encode(try secretKey.publicPoint.xOnly), createdAt: createdAt, kind: kind, tags: tags, content: content)
        guard let id = Hex.decode(event.id) else { throw Failure("bad id") }
        event.sig = try secretKey.schnorrSign(message: id).hex
        return event
    }

    /// The ID NIP-01 defines: SHA-256 of `[0,pubkey,created_at,kind,tags,content]` with no whitespace and only the
    /// seven escapes it lists.
    public var computedID: String {
        var s = "[0,\"" + pubkey + "\"," + String(createdAt) + "," + String(kind) + ",["
        s += tags.map { "[" + $0.map(Self.quoted).joined(separator: ",") + "]" }.joined(separator: ",")
        s += "]," + Self.quoted(content) + "]"
        return Hex.encode(Array(SHA256.hash(data: Array(s.utf8))))
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Checks the ID and (unless a rumor is expected) the signature against `pubkey`.
    public func verify(signed: Bool = true) throws {
        guard id == computedID else { throw Failure("the event's id is not the hash of its content") }
        guard signed else { return }
        guard let sig, let signature = try? SchnorrSignature(hex: sig), let id = Hex.decode(id),
              let key = try? Point(compressed: [2] + (Hex.decode(pubkey) ?? [])), key.verifySchnorr(signature, message: id)
        else { throw Failure("the event's signature does not verify") }
    }

    /// The compact JSON of the event (as it is encrypted into seals and sent to relays).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Parses an event's JSON.
    public init(json: String) throws {
        do { self = try JSONDecoder().decode(NostrEvent.self, from: Data(json.utf8)) } catch { throw Failure("not a Nostr event: \(error)") }
    }
}
