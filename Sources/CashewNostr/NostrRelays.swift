import CashewEncoding
import FoundationEssentials
import Logging
import NIOSSL
import Secp256k1
import Synchronization
import WSClient

/// A set of Nostr relays spoken to over NIP-01: events published to all of them, stored events read from all of
/// them, new events awaited on all of them. Relays are not trusted: every event they send is checked (ID, signature,
/// and the filter asked for) before anyone sees it, and the same event from two relays is seen once.
public struct NostrRelays: Sendable {
    /// The relays' `ws://` or `wss://` URLs.
    public let urls: [String]
    /// How long one relay gets to answer a publish or a query.
    public var timeout: Duration

    /// Why relays could not do what was asked (every relay's reason, in one line).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    public init(_ urls: [String], timeout: Duration = .seconds(10)) throws {
        guard !urls.isEmpty else { throw Failure("no Nostr relay given") }
        for url in urls where !(url.hasPrefix("ws://") || url.hasPrefix("wss://")) {
            throw Failure("a Nostr relay is a ws:// or wss:// URL: \(url.prefix(200))")
        }
        var seen = Set<String>()
        self.urls = urls.filter { seen.insert($0).inserted }
        self.timeout = timeout
    }

    /// Publishes `event` to every relay; returns the relays that accepted it. Throws when none did, with each
    /// relay's reason (down, refused, no answer in time).
    @discardableResult
    public func publish(_ event: NostrEvent) async throws -> [String] {
        let message = "[\"EVENT\"," + event.json + "]"
        let results = await eachRelay { url in
            // NIP-01: a NOTICE is a message for humans, not an answer to the event (relays send them about rate
            // limits, other subscriptions, maintenance). The event's answer is its OK; a relay that never sends one
            // fails with its last notice as the likely reason.
            let notice = Cell<String?>(nil)
            do {
                return try await Self.session(url, timeout: timeout) { inbound, outbound in
                    try await outbound.write(.text(message))
                    for try await frame in inbound.messages(maxSize: Self.maxMessage) {
                        guard case let .text(text) = frame, let m = try? JSONValue(parsing: text), let items = m.arrayValue else { continue }
                        // One event per connection, so the first OK answers it (some relays leave the ID empty when
                        // they refuse). A duplicate is stored already: that is what publishing wanted.
                        if items.first?.stringValue == "OK", items.count >= 3, items[1].stringValue == event.id || items[1].stringValue == "" {
                            let reason = items.count > 3 ? items[3].stringValue ?? "" : ""
                            if items[2].boolValue == true || reason.hasPrefix("duplicate:") { return }
                            throw Failure("refused: " + String(reason.prefix(200)))
                        }
                        if items.first?.stringValue == "NOTICE", items.count >= 2 { notice.value = String((items[1].stringValue ?? "").prefix(200)) }
                    }
                    throw Failure("closed without answering")
                }
            } catch let failure as Failure {
                guard let said = notice.value else { throw failure }
                throw Failure("\(failure.description) (its notice: \(said))")
            }
        }
        let accepted = results.compactMap { url, result in (try? result.get()).map { url } }
        guard !accepted.isEmpty else { throw Failure("no Nostr relay took the event: " + Self.reasons(results)) }
        return accepted
    }

    /// The stored events matching any of `filters`, from every relay that answers (each until its end of stored
    /// events), once each, oldest first. Throws when no relay answered.
    public func query(_ filters: [NostrFilter]) async throws -> [NostrEvent] {
        let subID = Self.subscriptionID()
        let request = Self.request(subID, filters)
        let results = await eachRelay { url in
            try await Self.session(url, timeout: timeout) { inbound, outbound in
                try await outbound.write(.text(request))
                var events = [NostrEvent]()
                for try await frame in inbound.messages(maxSize: Self.maxMessage) {
                    guard case let .text(text) = frame else { continue }
                    switch Self.parse(text, subID: subID, filters: filters) {
                    case let .event(e):
                        guard events.count < Self.maxStoredEvents else { throw Failure("sent more than \(Self.maxStoredEvents) events") }
                        events.append(e)
                    case .endOfStored:
                        try? await outbound.write(.text("[\"CLOSE\",\"\(subID)\"]"))
                        return events
                    case let .closed(reason): throw Failure("closed the subscription: \(reason)")
                    case .other: continue
                    }
                }
                throw Failure("closed before the end of its stored events")
            }
        }
        var byID = [String: NostrEvent]()
        var answered = false
        for (_, result) in results {
            guard let events = try? result.get() else { continue }
            answered = true
            for e in events { byID[e.id] = e }
        }
        guard answered else { throw Failure("no Nostr relay answered: " + Self.reasons(results)) }
        return byID.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// What the relays' tasks tell `listen`.
    enum ListenUpdate: Sendable {
        case event(NostrEvent)
        case connected(String)
        case failed(String, String)
    }

    /// Shows `handle` each event matching `filters`, stored or new, from every relay, once each, until `handle`
    /// returns a value (then that value) or `duration` passes (then nil). A relay that drops the connection is
    /// reconnected; throws at once when no relay can be reached at the start.
    public func listen<Found: Sendable>(
        _ filters: [NostrFilter], for duration: Duration, handle: @escaping @Sendable (NostrEvent) async throws -> Found?
    ) async throws -> Found? {
        // Bounded: a relay that floods is not held in memory (the newest updates are kept).
        let (updates, continuation) = AsyncStream<ListenUpdate>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        let subID = Self.subscriptionID()
        let request = Self.request(subID, filters)
        let timeout = self.timeout
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            for url in urls {
                group.addTask {
                    let reached = Cell(false)
                    var first = true
                    while !Task.isCancelled {
                        do {
                            try await Self.session(url, timeout: nil, connectTimeout: timeout) { inbound, outbound in
                                try await outbound.write(.text(request))
                                continuation.yield(.connected(url))
                                reached.value = true
                                for try await frame in inbound.messages(maxSize: Self.maxMessage) {
                                    guard case let .text(text) = frame else { continue }
                                    switch Self.parse(text, subID: subID, filters: filters) {
                                    case let .event(e): continuation.yield(.event(e))
                                    case let .closed(reason): throw Failure("closed the subscription: \(reason)")
                                    case .endOfStored, .other: continue
                                    }
                                }
                            }
                        } catch {
                            if first, !reached.value { continuation.yield(.failed(url, Self.reason(error))) }
                        }
                        first = false
                        try? await Task.sleep(for: .seconds(1))
                    }
                    return false
                }
            }
            group.addTask {
                // The time is up: the stream ends, and with it the wait below.
                try? await Task.sleep(for: duration)
                continuation.finish()
                return false
            }
            var seen = Set<String>()
            var failures = [(String, String)]()
            var anyConnected = false
            var outcome: Found?
            loop: for await update in updates {
                switch update {
                case .connected: anyConnected = true
                case let .failed(url, reason):
                    failures.append((url, reason))
                    if !anyConnected, failures.count == urls.count {
                        group.cancelAll()
                        continuation.finish()
                        throw Failure("no Nostr relay could be reached: " + failures.map { "\($0.0): \($0.1)" }.joined(separator: "; "))
                    }
                case let .event(e):
                    guard seen.insert(e.id).inserted else { continue }
                    if let found = try await handle(e) {
                        outcome = found
                        break loop
                    }
                }
            }
            group.cancelAll()
            continuation.finish()
            return outcome
        }
    }

    // MARK: - Plumbing

    /// Largest relay message read (a gift-wrapped token of many proofs is tens of kilobytes).
    static let maxMessage = 1 << 22
    /// Most stored events taken from one relay for one query.
    static let maxStoredEvents = 10_000

    enum Incoming {
        case event(NostrEvent)
        case endOfStored
        case closed(String)
        case other
    }

    static func subscriptionID() -> String { Hex.encode(SecureRandom.bytes(8)) }

    static func request(_ subID: String, _ filters: [NostrFilter]) -> String {
        JSONValue.array([.string("REQ"), .string(subID)] + filters.map(\.json)).serialized
    }

    /// A relay message for `subID`; events that do not verify or do not match the filters are dropped.
    static func parse(_ text: String, subID: String, filters: [NostrFilter]) -> Incoming {
        guard let m = try? JSONValue(parsing: text), let items = m.arrayValue, let type = items.first?.stringValue,
              items.count >= 2, items[1].stringValue == subID
        else { return .other }
        switch type {
        case "EVENT":
            guard items.count >= 3, let event = try? NostrEvent(json: items[2].serialized), (try? event.verify()) != nil,
                  filters.contains(where: { $0.matches(event) })
            else { return .other }
            return .event(event)
        case "EOSE": return .endOfStored
        case "CLOSED": return .closed(String((items.count > 2 ? items[2].stringValue ?? "" : "").prefix(200)))
        default: return .other
        }
    }

    /// Runs `body` on each relay at once; each relay's result.
    func eachRelay<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async -> [(String, Result<T, any Error>)] {
        await withTaskGroup(of: (Int, Result<T, any Error>).self) { group in
            for (i, url) in urls.enumerated() {
                group.addTask {
                    do { return (i, .success(try await body(url))) } catch { return (i, .failure(error)) }
                }
            }
            var results = [(Int, Result<T, any Error>)]()
            for await r in group { results.append(r) }
            return results.sorted { $0.0 < $1.0 }.map { (urls[$0.0], $0.1) }
        }
    }

    static func reasons<T>(_ results: [(String, Result<T, any Error>)]) -> String {
        results.compactMap { url, result in
            if case let .failure(error) = result { return "\(url): \(reason(error))" }
            return nil
        }.joined(separator: "; ")
    }

    static func reason(_ error: any Error) -> String {
        if let f = error as? Failure { return f.description }
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        return String(text.prefix(200))
    }

    /// One websocket to `url` running `body`, within `timeout` (nil: no limit once connected, `connectTimeout` for
    /// reaching the relay).
    static func session<T: Sendable>(
        _ url: String, timeout: Duration?, connectTimeout: Duration = .seconds(10),
        _ body: @escaping @Sendable (WebSocketInboundStream, WebSocketOutboundWriter) async throws -> T
    ) async throws -> T {
        let result = Cell<Result<T, any Error>?>(nil)
        let connected = Cell(false)
        var logger = Logger(label: "cashew.nostr")
        logger.logLevel = .critical
        let quiet = logger
        let tls: TLSConfiguration? = url.hasPrefix("wss://") ? .makeClientConfiguration() : nil
        let limit = timeout ?? connectTimeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await WebSocketClient.connect(
                    url: url, configuration: .init(maxFrameSize: maxMessage), tlsConfiguration: tls, logger: quiet
                ) { inbound, outbound, _ in
                    connected.value = true
                    do {
                        let value = try await body(inbound, outbound)
                        result.value = .success(value)
                    } catch {
                        result.value = .failure(error)
                    }
                    try? await outbound.close(.normalClosure, reason: nil)
                }
            }
            group.addTask {
                // Without an overall timeout this only bounds the connection: once connected it waits no more.
                try await Task.sleep(for: limit)
                while timeout == nil, connected.value { try await Task.sleep(for: .seconds(3600)) }
                throw Failure("no answer within \(limit)")
            }
            _ = try await group.next()
            group.cancelAll()
        }
        switch result.value {
        case let .success(value)?: return value
        case let .failure(error)?: throw error
        case nil: throw Failure("closed the connection")
        }
    }
}

/// A value shared by the tasks of one relay connection.
final class Cell<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    var value: Value {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
