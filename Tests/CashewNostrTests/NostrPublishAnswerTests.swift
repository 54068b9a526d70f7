import CashewNostr
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import Secp256k1
import TestSupport
import Testing

/// How a publish reads a relay's answers, against a scripted relay on loopback: NIP-01 makes the event's `OK` its
/// answer; a `NOTICE` is for humans and answers nothing.
@Suite("Nostr relays: a publish's answer")
struct NostrPublishAnswerTests {
    /// Runs `body` with a relay at `ws://127.0.0.1:PORT` that answers each EVENT with `answers(eventID)`, then
    /// closes the connection.
    static func withScriptedRelay(_ answers: @escaping @Sendable (String) -> [String], _ body: (String) async throws -> Void) async throws {
        let port = try FreePort.find()
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("/") { _, _ in .upgrade([:]) } onUpgrade: { inbound, outbound, _ in
            for try await frame in inbound.messages(maxSize: 1 << 20) {
                guard case let .text(text) = frame, let data = text.data(using: .utf8),
                      let message = try JSONSerialization.jsonObject(with: data) as? [Any], message.first as? String == "EVENT",
                      let event = message.last as? [String: Any], let id = event["id"] as? String
                else { continue }
                for answer in answers(id) { try await outbound.write(.text(answer)) }
                try await outbound.close(.normalClosure, reason: nil)
                return
            }
        }
        var logger = Logger(label: "scripted-relay")
        logger.logLevel = .error
        let app = Application(
            router: Router(), server: .http1WebSocketUpgrade(webSocketRouter: router), configuration: .init(address: .hostname("127.0.0.1", port: port)),
            logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            for _ in 0..<200 where !FreePort.accepts(port) { try await Task.sleep(for: .milliseconds(25)) }
            do {
                try await body("ws://127.0.0.1:\(port)")
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    static func note() throws -> NostrEvent {
        try NostrEvent.signed(secretKey: Scalar.random(), createdAt: UInt64(Date().timeIntervalSince1970), kind: 1, content: "hello")
    }

    @Test("a NOTICE before the event's OK is not a refusal: the OK decides")
    func noticeThenOK() async throws {
        try await Self.withScriptedRelay({ id in [#"["NOTICE","slow down a little"]"#, #"["OK","\#(id)",true,""]"#] }) { url in
            let relays = try NostrRelays([url], timeout: .seconds(10))
            #expect(try await relays.publish(try Self.note()) == [url])
        }
    }

    @Test("a NOTICE and no OK: the publish fails, and says what the relay noticed; an OK false is a refusal with its reason")
    func noticeWithoutOK() async throws {
        try await Self.withScriptedRelay({ _ in [#"["NOTICE","rate limited"]"#] }) { url in
            let relays = try NostrRelays([url], timeout: .seconds(10))
            await #expect { try await relays.publish(try Self.note()) } throws: {
                "\($0)".contains("closed without answering") && "\($0)".contains("rate limited")
            }
        }
        try await Self.withScriptedRelay({ id in [#"["OK","\#(id)",false,"blocked: not on the list"]"#] }) { url in
            let relays = try NostrRelays([url], timeout: .seconds(10))
            await #expect { try await relays.publish(try Self.note()) } throws: { "\($0)".contains("refused: blocked: not on the list") }
        }
    }
}
