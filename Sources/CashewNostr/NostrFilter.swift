import CashewEncoding

/// A NIP-01 subscription filter: the conditions within one filter all hold, any of several filters may match.
public struct NostrFilter: Sendable, Hashable {
    public var ids: [String]?
    public var authors: [String]?
    public var kinds: [Int]?
    /// Single-letter tag queries, such as `p` → recipients' keys (sent as `#p`).
    public var tags: [String: [String]]
    public var since: UInt64?
    public var until: UInt64?
    public var limit: Int?

    public init(
        ids: [String]? = nil, authors: [String]? = nil, kinds: [Int]? = nil, tags: [String: [String]] = [:], since: UInt64? = nil,
        until: UInt64? = nil, limit: Int? = nil
    ) {
        self.ids = ids
        self.authors = authors
        self.kinds = kinds
        self.tags = tags
        self.since = since
        self.until = until
        self.limit = limit
    }

    /// The filter as relays read it.
    public var json: JSONValue {
        var fields = [(String, JSONValue)]()
        if let ids { fields.append(("ids", .array(ids.map { .string($0) }))) }
        if let authors { fields.append(("authors", .array(authors.map { .string($0) }))) }
        if let kinds { fields.append(("kinds", .array(kinds.map { .int(Int64($0)) }))) }
        for (tag, values) in tags.sorted(by: { $0.key < $1.key }) { fields.append(("#" + tag, .array(values.map { .string($0) }))) }
        if let since { fields.append(("since", .uint(since))) }
        if let until { fields.append(("until", .uint(until))) }
        if let limit { fields.append(("limit", .int(Int64(limit)))) }
        return .object(fields)
    }

    /// Whether `event` matches (relays are not trusted to filter: what they send is checked again).
    public func matches(_ event: NostrEvent) -> Bool {
        if let ids, !ids.contains(event.id) { return false }
        if let authors, !authors.contains(event.pubkey) { return false }
        if let kinds, !kinds.contains(event.kind) { return false }
        for (tag, values) in tags where !event.tags.contains(where: { $0.count >= 2 && $0[0] == tag && values.contains($0[1]) }) { return false }
        if let since, event.createdAt < since { return false }
        if let until, event.createdAt > until { return false }
        return true
    }
}
