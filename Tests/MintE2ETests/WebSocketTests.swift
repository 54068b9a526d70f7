import CashewEncoding
import CashuCrypto
import CashuProtocol
import Foundation
import HummingbirdWSClient
import Logging
import Secp256k1
import TestSupport
import Synchronization
import Testing

/// A NUT-17 session from the client's side: sends requests, reads the mint's messages with a deadline.
final class WSSession: Sendable {
    let outbound: WebSocketOutboundWriter
    let mailbox: Mailbox
    let counter = Counter()

    actor Mailbox {
        var messages = [String]()
        var closed = false
        func put(_ m: String) { messages.append(m) }
        func close() { closed = true }
        func take() -> (String?, Bool) { messages.isEmpty ? (nil, closed) : (messages.removeFirst(), false) }
    }

    actor Counter {
        var value = 0
        func next() -> Int {
            value += 1
            return value
        }
    }

    init(outbound: WebSocketOutboundWriter, mailbox: Mailbox) {
        self.outbound = outbound
        self.mailbox = mailbox
    }

    static func with(_ url: String, _ body: @escaping @Sendable (WSSession) async throws -> Void) async throws {
        let ws = url.replacingOccurrences(of: "http://", with: "ws://") + "/v1/ws"
        // No pings from the test's side: a starved mint would miss their deadline and the socket would close.
        _ = try await WebSocketClient.connect(url: ws, configuration: .init(autoPing: .disabled), logger: Logger(label: "ws-test")) { inbound, outbound, _ in
            let mailbox = Mailbox()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await message in inbound.messages(maxSize: 1 << 20) {
                            if case let .text(text) = message { await mailbox.put(text) }
                        }
                    } catch {}
                    await mailbox.close()
                }
                try await body(WSSession(outbound: outbound, mailbox: mailbox))
                group.cancelAll()
            }
        }
    }

    /// The next message, or nil when none comes within `timeout` (or the socket closed). The default is long: the
    /// full test run starves the mint's process for seconds at a time, and a message that arrives ends the wait.
    func next(timeout: Duration = .seconds(180)) async throws -> JSONValue? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (message, closed) = await mailbox.take()
            if let message { return try JSONValue(parsing: message) }
            if closed { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    func send(_ text: String) async throws { try await outbound.write(.text(text)) }

    func subscribe(_ kind: String, _ filters: [String], subID: String = UUID().uuidString) async throws -> String {
        let id = await counter.next()
        let request = JSONValue.object([
            ("jsonrpc", .string("2.0")), ("id", .int(Int64(id))), ("method", .string("subscribe")),
            ("params", .object([("kind", .string(kind)), ("subId", .string(subID)), ("filters", .array(filters.map { .string($0) }))])),
        ])
        try await send(request.serialized)
        return subID
    }

    /// True when the mint closes the socket within `timeout` (messages before that are skipped).
    func closed(within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (message, closed) = await mailbox.take()
            if closed { return true }
            if message == nil { try? await Task.sleep(for: .milliseconds(20)) }
        }
        return false
    }

    /// The next notification's payload for `subID` (skipping nothing: the order is asserted). A minute: 10 s ran out
    /// once for a subscriber on one mint process while another, under load, paid the quote.
    func payload(timeout: Duration = .seconds(60)) async throws -> JSONValue? {
        guard let m = try await next(timeout: timeout) else { return nil }
        #expect(m["method"]?.stringValue == "subscribe", "\(m.serialized)")
        return m["params"]?["payload"]
    }
}

@Suite("NUT-17 websocket", .serialized)
struct WebSocketTests {
    @Test("info advertises NUT-17; a mint quote goes UNPAID, PAID, ISSUED, its proofs UNSPENT then SPENT, a melt quote UNPAID then PAID")
    func lifecycle() async throws {
        try await CashewMintProcess.with { mint in
            let info = try HTTPJSON.value(try await HTTPJSON.get(MintInfo.self, mint.url + "/v1/info"))
            let supported = try #require(info.nuts?["17"]?["supported"]?.arrayValue?.first)
            #expect(supported["method"]?.stringValue == "bolt11" && supported["unit"]?.stringValue == "sat")
            #expect(supported["commands"]?.arrayValue == [.string("bolt11_mint_quote"), .string("bolt11_melt_quote"), .string("proof_state")])
            let wallet = HTTPWallet(url: mint.url)
            let keyset = try await wallet.keyset()
            let quote = try HTTPJSON.value(try await HTTPJSON.post(MintQuoteBolt11Response.self, mint.url + "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 8, unit: .sat)))
            try await WSSession.with(mint.url) { ws in
                let sub = try await ws.subscribe("bolt11_mint_quote", [quote.quote, "no-such-quote"])
                let ok = try #require(try await ws.next())
                #expect(ok["result"]?["status"]?.stringValue == "OK" && ok["result"]?["subId"]?.stringValue == sub && ok["id"] == .int(1))
                // The current state first, then the change; the unknown ID says nothing. The fake node pays a second
                // after the quote, so a starved test may subscribe after that: the current state is then PAID.
                var paid = try #require(try await ws.payload())
                if paid["state"]?.stringValue == "UNPAID" { paid = try #require(try await ws.payload()) }
                #expect(paid["state"]?.stringValue == "PAID" && paid["quote"]?.stringValue == quote.quote && paid["amount_paid"] == .int(8))
                let outputs = try BlindedOutputs([8], keyset: keyset.id)
                let minted = try HTTPJSON.value(try await HTTPJSON.post(MintResponse.self, mint.url + "/v1/mint/bolt11", MintRequest(quote: quote.quote, outputs: outputs.messages)))
                #expect(try await ws.payload()?["state"]?.stringValue == "ISSUED")
                let proofs = try outputs.proofs(minted.signatures) { _, a in keyset.keys[a] }

                let y = try #require(proofs.first).y.hex
                _ = try await ws.subscribe("proof_state", [y])
                #expect(try await ws.next()?["result"]?["status"]?.stringValue == "OK")
                let unspent = try #require(try await ws.payload())
                #expect(unspent["Y"]?.stringValue == y && unspent["state"]?.stringValue == "UNSPENT")
                let invoice = try foreignInvoice(sat: 4)
                let melt = try HTTPJSON.value(try await HTTPJSON.post(MeltQuoteBolt11Response.self, mint.url + "/v1/melt/quote/bolt11", MeltQuoteBolt11Request(request: invoice, unit: .sat)))
                _ = try await ws.subscribe("bolt11_melt_quote", [melt.quote])
                #expect(try await ws.next()?["result"]?["status"]?.stringValue == "OK")
                #expect(try await ws.payload()?["state"]?.stringValue == "UNPAID")
                let paidMelt = try HTTPJSON.value(try await HTTPJSON.post(
                    MeltQuoteBolt11Response.self, mint.url + "/v1/melt/bolt11", MeltRequest(quote: melt.quote, inputs: proofs, outputs: try BlindedOutputs([1, 1, 1], keyset: keyset.id).messages)))
                #expect(paidMelt.state == .paid)
                // Both changes arrive (their order between the two subscriptions is not fixed). The mint reads the
                // ledger every 500 ms, so a slow melt may first show as PENDING on both; nothing else comes between.
                var seen = [String: String]()
                var states = [String]()
                for _ in 0..<4 where seen != ["proof": "SPENT", "melt": "PAID"] {
                    let m = try #require(try await ws.next())
                    let payload = m["params"]?["payload"]
                    let kind = payload?["Y"] != nil ? "proof" : "melt"
                    seen[kind] = payload?["state"]?.stringValue
                    states.append("\(kind) \(seen[kind] ?? "?")")
                }
                #expect(seen == ["proof": "SPENT", "melt": "PAID"], "\(states)")
                #expect(states.filter { !["proof SPENT", "melt PAID", "proof PENDING", "melt PENDING"].contains($0) }.isEmpty, "\(states)")
            }
        }
    }

    @Test("malformed JSON-RPC gets JSON-RPC errors and the socket stays usable; unsubscribe; limits per connection")
    func errors() async throws {
        // The socket stays without a subscription through the error cases: no idle timeout here (the bounds test has
        // its own), or a test process starved for minutes in the full run would see the mint close it.
        try await CashewMintProcess.with(environment: [
            "CASHEW_WS_SUBSCRIPTIONS_PER_CONNECTION": "2", "CASHEW_WS_FILTERS_PER_SUBSCRIPTION": "3", "CASHEW_WS_IDLE_TIMEOUT": "3600",
        ]) { mint in
            try await WSSession.with(mint.url) { ws in
                func error(_ text: String) async throws -> Int? {
                    try await ws.send(text)
                    let answer = try await ws.next(timeout: .seconds(180))
                    let closed = await ws.mailbox.closed
                    let m = try #require(answer, "no answer to \(text) (socket closed: \(closed))")
                    #expect(m["jsonrpc"]?.stringValue == "2.0" && m["result"] == nil, "\(m.serialized)")
                    return m["error"]?["code"]?.stringValue.flatMap(Int.init) ?? { if case let .number(n)? = m["error"]?["code"] { return Int(n) } else { return nil } }()
                }
                #expect(try await error("not json") == -32700)
                #expect(try await error("[1,2]") == -32600)
                #expect(try await error(#"{"jsonrpc":"2.0","id":1,"method":"nope","params":{"subId":"a"}}"#) == -32601)
                #expect(try await error(#"{"jsonrpc":"2.0","id":2,"method":"subscribe","params":{"subId":"a","kind":"bolt12_mint_quote","filters":["x"]}}"#) == -32602)
                #expect(try await error(#"{"jsonrpc":"2.0","id":3,"method":"subscribe","params":{"subId":"a","kind":"proof_state","filters":"x"}}"#) == -32602)
                #expect(try await error(#"{"jsonrpc":"2.0","id":4,"method":"subscribe","params":{"subId":"a","kind":"proof_state","filters":["a","b","c","d"]}}"#) == -32602)
                #expect(try await error(#"{"jsonrpc":"2.0","id":5,"method":"unsubscribe","params":{"subId":"never"}}"#) == -32602)
                // Still usable: two subscriptions, a third refused, one unsubscribed, then another accepted.
                let y = try Scalar.random().publicPoint.hex
                for (i, sub) in ["s1", "s2"].enumerated() {
                    _ = try await ws.subscribe("proof_state", [y], subID: sub)
                    #expect(try await ws.next()?["result"]?["subId"]?.stringValue == sub, "\(i)")
                    #expect(try await ws.payload()?["state"]?.stringValue == "UNSPENT")
                }
                _ = try await ws.subscribe("proof_state", [y], subID: "s3")
                #expect(try await ws.next()?["error"]?["code"] == .int(-32000))
                try await ws.send(#"{"jsonrpc":"2.0","id":9,"method":"unsubscribe","params":{"subId":"s1"}}"#)
                let unsubscribed = try #require(try await ws.next())
                #expect(unsubscribed["result"]?["subId"]?.stringValue == "s1" && unsubscribed["id"] == .int(9))
                _ = try await ws.subscribe("proof_state", [y], subID: "s3")
                #expect(try await ws.next()?["result"]?["subId"]?.stringValue == "s3")
            }
        }
    }

    @Test("bounds: websockets per client, the idle timeout and the message size close sockets; the mint keeps answering")
    func bounds() async throws {
        // The limits per client on a mint without the idle timeout: a test process starved for 2 s between opening a
        // socket and subscribing saw it closed as idle in a loaded run.
        try await CashewMintProcess.with(environment: [
            "CASHEW_WS_CONNECTIONS_PER_CLIENT": "2", "CASHEW_WS_IDLE_TIMEOUT": "3600", "CASHEW_WS_FILTERS_PER_CLIENT": "3",
        ]) { mint in
            // Two sockets at once from this address; the third is closed at once.
            try await WSSession.with(mint.url) { first in
                _ = try await first.subscribe("proof_state", [try Scalar.random().publicPoint.hex])
                #expect(try await first.next() != nil)
                #expect(try await first.next() != nil)
                try await WSSession.with(mint.url) { second in
                    _ = try await second.subscribe("proof_state", [try Scalar.random().publicPoint.hex])
                    #expect(try await second.next() != nil)
                    #expect(try await second.next() != nil)
                    // This client follows 2 objects over its two sockets; 2 more would pass its 3.
                    _ = try await second.subscribe("proof_state", [try Scalar.random().publicPoint.hex, try Scalar.random().publicPoint.hex])
                    #expect(try await second.next()?["error"]?["code"] == .int(-32000))
                    try await WSSession.with(mint.url) { third in
                        _ = try? await third.subscribe("proof_state", [try Scalar.random().publicPoint.hex])
                        // The mint refuses it (and says so in its log); the close reaches a starved test process late.
                        let closed = await third.closed(within: .seconds(60))
                        #expect(closed || mint.logs.contains("websocket refused: too many from one client"), "\(mint.logs.suffix(3000))")
                    }
                }
            }
            #expect(try await HTTPJSON.raw(mint.url + "/v1/info").status == 200)
        }
        try await CashewMintProcess.with(environment: ["CASHEW_WS_IDLE_TIMEOUT": "2", "CASHEW_WS_MAX_MESSAGE_SIZE": "1024"]) { mint in
            /// Runs `body` on a socket the mint accepted (it answers a malformed request), retrying a socket closed
            /// before that (as idle, on a starved machine).
            func accepted(_ body: @escaping @Sendable (WSSession) async throws -> Void) async throws {
                for _ in 0..<30 {
                    let done = Mutex(false)
                    try await WSSession.with(mint.url) { ws in
                        // A socket the mint refused may already be closed: the send fails, and we try again.
                        guard (try? await ws.send("not json")) != nil, try await ws.next(timeout: .seconds(10))?["error"] != nil else { return }
                        done.withLock { $0 = true }
                        try await body(ws)
                    }
                    if done.withLock({ $0 }) { return }
                    try await Task.sleep(for: .seconds(1))
                }
                Issue.record("the mint never accepted another websocket")
            }
            // Idle: no subscription, closed after about 2 s.
            try await accepted { ws in
                #expect(await ws.closed(within: .seconds(30)))
            }
            // Too large a message closes the socket.
            try await accepted { ws in
                // (On a starved machine the idle timeout may close it first; closed is closed.)
                try? await ws.send(#"{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"subId":"a","kind":"proof_state","filters":[""# + String(repeating: "a", count: 2000) + #""]}}"#)
                #expect(await ws.closed(within: .seconds(30)))
            }
            #expect(try await HTTPJSON.raw(mint.url + "/v1/info").status == 200)
        }
    }
}

extension WebSocketTests {
    @Test("a graceful stop closes open websockets instead of waiting for them until the shutdown deadline (30 s here)")
    func gracefulStop() async throws {
        let mint = try await CashewMintProcess(environment: ["CASHEW_SHUTDOWN_TIMEOUT": "30"])
        defer { mint.removeData() }
        try await WSSession.with(mint.url) { ws in
            _ = try await ws.subscribe("proof_state", [try Scalar.random().publicPoint.hex])
            #expect(try await ws.next() != nil)
            #expect(try await ws.next() != nil)
            let start = ContinuousClock.now
            #expect(mint.stop() == 0)
            #expect(ContinuousClock.now - start < .seconds(15))
            #expect(await ws.closed(within: .seconds(30)))
        }
    }
}

@Suite("NUT-17 across processes", .enabled(if: PostgresTestServer.available), .serialized)
struct WebSocketMultiProcessTests {
    @Test("a quote created and paid through process A, minted through A: the subscriber on process B sees UNPAID, PAID, ISSUED")
    func acrossProcesses() async throws {
        try await PostgresTestServer.withDatabase { database in
            try await CashewMintProcess.withPair(database: database) { a, b in
                let keyset = try await HTTPWallet(url: a.url).keyset()
                let quote = try HTTPJSON.value(try await HTTPJSON.post(MintQuoteBolt11Response.self, a.url + "/v1/mint/quote/bolt11", MintQuoteBolt11Request(amount: 4, unit: .sat)))
                try await WSSession.with(b.url) { ws in
                    _ = try await ws.subscribe("bolt11_mint_quote", [quote.quote])
                    #expect(try await ws.next()?["result"]?["status"]?.stringValue == "OK")
                    var state = try await ws.payload()?["state"]?.stringValue
                    if state == "UNPAID" { state = try await ws.payload()?["state"]?.stringValue }
                    #expect(state == "PAID")
                    let outputs = try BlindedOutputs([4], keyset: keyset.id)
                    _ = try HTTPJSON.value(try await HTTPJSON.post(MintResponse.self, a.url + "/v1/mint/bolt11", MintRequest(quote: quote.quote, outputs: outputs.messages)))
                    #expect(try await ws.payload()?["state"]?.stringValue == "ISSUED")
                }
            }
        }
    }
}
