import CashewEncoding
import CashewNostr
import Foundation
import Secp256k1
import TestSupport
import Testing

/// The relay client against a real relay (nostr-relay 1.14 on loopback): publish, query, listen, NIP-17 messages,
/// a relay that is down, and one that restarts while a listener waits.
@Suite("Nostr relays (nostr-relay 1.14)", .enabled(if: NostrRelayServer.available || Interop.required), .serialized)
struct NostrRelayTests {
    static func now() -> UInt64 { UInt64(Date().timeIntervalSince1970) }
    /// What a relay gets to answer here: the full test run starves processes for tens of seconds.
    static let patience = Duration.seconds(120)

    @Test("an event published is stored and read back once from two relays; a forged one is refused; a filter is checked again")
    func publishAndQuery() async throws {
        try await NostrRelayServer.with { a in
            try await NostrRelayServer.with { b in
                let relays = try NostrRelays([a.url, b.url], timeout: Self.patience)
                let key = Scalar.random()
                let note = try NostrEvent.signed(secretKey: key, createdAt: Self.now(), kind: 1, tags: [["t", "cashew"]], content: "hello \"relay\"\n")
                #expect(try await relays.publish(note) == [a.url, b.url])
                let author = Hex.encode(try key.publicPoint.xOnly)
                let found = try await relays.query([NostrFilter(authors: [author], kinds: [1])])
                #expect(found == [note])
                #expect(try await relays.query([NostrFilter(authors: [author], kinds: [2])]).isEmpty)
                // A signature that does not verify: both relays refuse it, and the error says so.
                var forged = try NostrEvent.signed(secretKey: key, createdAt: Self.now(), kind: 1, content: "forged")
                forged.content = "changed"
                forged.id = forged.computedID
                await #expect { try await relays.publish(forged) } throws: { "\($0)".contains("no Nostr relay took the event") && "\($0)".contains("refused") }
                // The filter is applied again on what relays send: a tag filter matches only tagged events.
                #expect(NostrFilter(tags: ["t": ["cashew"]]).matches(note))
                #expect(!NostrFilter(tags: ["t": ["other"]]).matches(note))
            }
        }
    }

    @Test("a NIP-17 message reaches its recipient only: it is read back from the relay, opened, and names its sender")
    func privateMessage() async throws {
        try await NostrRelayServer.with { relay in
            let relays = try NostrRelays([relay.url], timeout: Self.patience)
            let alice = Scalar.random(), bob = Scalar.random()
            let bobKey = Hex.encode(try bob.publicPoint.xOnly)
            let sent = Self.now()
            let wrap = try NIP17.wrap(#"{"id":"r1","proofs":[]}"#, from: alice, to: bobKey, now: sent)
            try await relays.publish(wrap)
            let inbox = try await relays.query([NIP17.inbox(bobKey, since: sent)])
            #expect(inbox.map(\.id) == [wrap.id])
            let message = try NIP17.open(try #require(inbox.first), recipient: bob)
            let aliceKey = Hex.encode(try alice.publicPoint.xOnly)
            #expect(message.content == #"{"id":"r1","proofs":[]}"# && message.sender == aliceKey)
            #expect(throws: (any Error).self) { _ = try NIP17.open(wrap, recipient: alice) }
            // Nothing for anyone else's inbox.
            #expect(try await relays.query([NIP17.inbox(Hex.encode(try Scalar.random().publicPoint.xOnly), since: sent)]).isEmpty)
        }
    }

    @Test("a listener sees a stored event and a later one, once each, and stops when told; it times out with false")
    func listen() async throws {
        try await NostrRelayServer.with { relay in
            let relays = try NostrRelays([relay.url, relay.url], timeout: Self.patience)
            let key = Scalar.random()
            let author = Hex.encode(try key.publicPoint.xOnly)
            let first = try NostrEvent.signed(secretKey: key, createdAt: Self.now(), kind: 1, content: "first")
            try await relays.publish(first)
            let seen = Locked([String]())
            let later = Task {
                try await Task.sleep(for: .milliseconds(500))
                try await relays.publish(try NostrEvent.signed(secretKey: key, createdAt: Self.now(), kind: 1, content: "second"))
            }
            let done = try await relays.listen([NostrFilter(authors: [author])], for: .seconds(60)) { event in
                seen.mutate { $0.append(event.content) }
                return event.content == "second" ? true : nil
            }
            try await later.value
            #expect(done == true)
            #expect(seen.value == ["first", "second"])
            #expect(try await relays.listen([NostrFilter(authors: [author], kinds: [7])], for: .seconds(1)) { _ in true } == nil)
        }
    }

    @Test("a relay that is down: publish, query and listen fail at once with the relay's URL and reason")
    func relayDown() async throws {
        let url = "ws://127.0.0.1:\(try FreePort.find())"
        let relays = try NostrRelays([url], timeout: .seconds(5))
        let event = try NostrEvent.signed(secretKey: Scalar.random(), createdAt: Self.now(), kind: 1, content: "x")
        let started = ContinuousClock.now
        await #expect { try await relays.publish(event) } throws: { "\($0)".contains(url) && "\($0)".contains("connection refused") }
        await #expect { try await relays.query([NostrFilter(kinds: [1])]) } throws: { "\($0)".contains("no Nostr relay answered") }
        await #expect { _ = try await relays.listen([NostrFilter(kinds: [1])], for: .seconds(60)) { _ in true } } throws: {
            "\($0)".contains("no Nostr relay could be reached")
        }
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(throws: (any Error).self) { _ = try NostrRelays(["http://127.0.0.1:1"]) }
        #expect(throws: (any Error).self) { _ = try NostrRelays([]) }
    }

    @Test("a relay restarted while a listener waits: the listener reconnects and gets what is published afterwards")
    func relayRestart() async throws {
        try await NostrRelayServer.with { relay in
            let relays = try NostrRelays([relay.url], timeout: Self.patience)
            let key = Scalar.random()
            let author = Hex.encode(try key.publicPoint.xOnly)
            let restarted = Task {
                try await Task.sleep(for: .seconds(1))
                relay.stop(keepData: true)
                try await Task.sleep(for: .seconds(1))
                try await relay.start()
                try await Task.sleep(for: .seconds(2))
                try await relays.publish(try NostrEvent.signed(secretKey: key, createdAt: Self.now(), kind: 1, content: "after"))
            }
            let done = try await relays.listen([NostrFilter(authors: [author])], for: .seconds(90)) { $0.content == "after" ? true : nil }
            try await restarted.value
            #expect(done == true)
        }
    }
}
