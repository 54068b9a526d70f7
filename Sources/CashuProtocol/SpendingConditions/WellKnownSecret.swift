import CashewEncoding
import Secp256k1

/// A NUT-10 well-known secret: `["KIND", {"nonce": "…", "data": "…", "tags": [["key", "value", …], …]}]`.
///
/// The proof keeps the secret string it was signed with; this is a parsed view of it. `serialized` writes compact
/// JSON with the keys in the order above, which is how new secrets are made.
public struct WellKnownSecret: Sendable, Hashable {
    /// The kind of condition.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// NUT-11 pay to public key.
        public static let p2pk = Kind(rawValue: "P2PK")
        /// NUT-14 hashed timelock contract.
        public static let htlc = Kind(rawValue: "HTLC")
        public var description: String { rawValue }
    }

    /// Why a secret that looks like a NUT-10 secret is malformed.
    public struct MalformedError: Error, Hashable, Sendable, CustomStringConvertible {
        public let description: String
    }

    public var kind: Kind
    /// Random, so that equal conditions give different secrets.
    public var nonce: String
    /// The kind's main datum: a public key (P2PK) or a hash lock (HTLC).
    public var data: String
    /// Tags, each one or more non-empty strings, the first being the tag's name.
    public var tags: [[String]]

    /// A new secret with a random 32-byte hex nonce unless one is given.
    public init(kind: Kind, data: String, tags: [[String]] = [], nonce: String? = nil) {
        self.kind = kind
        self.nonce = nonce ?? Hex.encode(SecureRandom.bytes(32))
        self.data = data
        self.tags = tags
    }

    /// Parses a proof secret. Returns nil when the secret is not a NUT-10 secret at all (a plain random secret), and
    /// throws when it has the NUT-10 shape (a JSON array of a string and an object) but breaks its rules.
    public static func parse(_ secret: String) throws -> WellKnownSecret? {
        guard secret.utf8.first == UInt8(ascii: "["), let json = try? JSONValue(parsing: secret),
              let items = json.arrayValue, items.count == 2, let kind = items[0].stringValue, items[1].objectValue != nil
        else { return nil }
        return try WellKnownSecret(json: json, kind: kind)
    }

    /// Parses a secret that must be a NUT-10 secret.
    public init(parsing secret: String) throws {
        guard let parsed = try WellKnownSecret.parse(secret) else {
            throw MalformedError(description: "secret is not a NUT-10 well-known secret")
        }
        self = parsed
    }

    init(json: JSONValue, kind: String) throws {
        guard !kind.isEmpty else { throw MalformedError(description: "malformed NUT-10 secret: invalid kind.") }
        let body = json[1]!
        guard let nonce = body["nonce"]?.stringValue else { throw MalformedError(description: "malformed NUT-10 secret: invalid nonce field.") }
        guard let data = body["data"]?.stringValue else { throw MalformedError(description: "malformed NUT-10 secret: invalid data field.") }
        var tags = [[String]]()
        if let rawTags = body["tags"], !rawTags.isNull {
            guard let list = rawTags.arrayValue else { throw MalformedError(description: "malformed NUT-10 secret: invalid tags field.") }
            for rawTag in list {
                guard let items = rawTag.arrayValue, !items.isEmpty else {
                    throw MalformedError(description: "malformed NUT-10 secret: invalid tag.")
                }
                var tag = [String]()
                for item in items {
                    guard let s = item.stringValue else { throw MalformedError(description: "malformed NUT-10 secret: invalid tag.") }
                    guard !s.isEmpty else { throw MalformedError(description: "malformed NUT-10 secret: invalid tag.") }
                    tag.append(s)
                }
                tags.append(tag)
            }
        }
        self.kind = Kind(rawValue: kind)
        self.nonce = nonce
        self.data = data
        self.tags = tags
    }

    /// Compact JSON: `["KIND",{"nonce":…,"data":…,"tags":[…]}]`.
    public var serialized: String {
        JSONValue.array([
            .string(kind.rawValue),
            .object([
                ("nonce", .string(nonce)),
                ("data", .string(data)),
                ("tags", .array(tags.map { .array($0.map(JSONValue.string)) })),
            ]),
        ]).serialized
    }

    /// The tags named `name` (a NUT-11 secret must have at most one of each; see `uniqueTag`).
    public func tags(named name: String) -> [[String]] { tags.filter { $0.first == name } }

    /// The values of the only tag named `name`, nil if absent; throws if the tag appears more than once.
    public func uniqueTag(_ name: String) throws -> [String]? {
        let found = tags(named: name)
        guard found.count <= 1 else { throw MalformedError(description: "malformed NUT-10 secret: duplicate \(name) tag.") }
        return found.first.map { Array($0.dropFirst()) }
    }
}
