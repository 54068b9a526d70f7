import Bolt11
import CashuCrypto
import CashuMint
import Crypto
import Foundation
import Hummingbird
import LNbitsBackend
import Logging
import Secp256k1
import Synchronization
import TestSupport
import Testing

/// The LNbits backend against a server that answers what the test scripts, in LNbits' documented shapes: how each
/// answer to a payment is read. The rule under test: inputs may be released (`failed`) only after LNbits' own
/// refusal with no record of the payment, or its record saying failed.
@Suite("LNbits backend: reading LNbits' answers", .serialized)
struct LNbitsAnswerTests {
    /// What the scripted server answers, and what it was asked.
    struct Script: Sendable {
        var feeReserve: Int = 2000
        var pay: (status: Int, body: String) = (201, #"{"status":"success","fee":-1000,"preimage":"aa"}"#)
        var record: (status: Int, body: String) = (404, #"{"detail":"Payment does not exist."}"#)
        var payCalls = 0
    }

    final class Box: Sendable {
        let state: Mutex<Script>
        init(_ s: Script) { state = Mutex(s) }
    }

    static func withServer(_ script: Script, _ body: (LNbitsBackend, Box) async throws -> Void) async throws {
        let box = Box(script)
        let state = box
        let router = Router()
        router.get("/api/v1/payments/fee-reserve") { _, _ -> Response in
            Self.json(200, #"{"fee_reserve":\#(state.state.withLock { $0.feeReserve })}"#)
        }
        router.post("/api/v1/payments") { _, _ -> Response in
            let answer = state.state.withLock { s in
                s.payCalls += 1
                return s.pay
            }
            return Self.json(answer.status, answer.body)
        }
        router.get("/api/v1/payments/:hash") { _, _ -> Response in
            let answer = state.state.withLock { $0.record }
            return Self.json(answer.status, answer.body)
        }
        let port = try FreePort.find()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: Logger(label: "stub"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            for _ in 0..<1000 where !FreePort.accepts(port) { try await Task.sleep(for: .milliseconds(10)) }
            var settings = LNbitsBackend.Settings(url: "http://127.0.0.1:\(port)", adminKey: "stub-key")
            // Generous: the stub's handlers share the test process's threads with every other suite (some of
            // which block them waiting for processes), and a timeout here would test nothing.
            settings.requestTimeout = .seconds(60)
            settings.payTimeout = .seconds(60)
            try await body(LNbitsBackend(settings: settings, logger: Logger(label: "test")), box)
            group.cancelAll()
        }
    }

    static func json(_ status: Int, _ body: String) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func invoice(sat: UInt64 = 100) throws -> Invoice {
        try Invoice(parsing: try Invoice.Builder(
            amountMsat: sat * 1000, paymentHash: Array(SHA256.hash(data: SecureRandom.bytes(32))), paymentSecret: SecureRandom.bytes(32),
            description: "stub"
        ).sign(with: .random()).bolt11)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let pay: (Int, String)
        let record: (Int, String)
        let expected: PaymentResult
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "201 success: paid, fee as its magnitude in msat", pay: (201, #"{"status":"success","fee":-1500,"preimage":"ab"}"#),
             record: (404, "{}"), expected: .paid(feeMsat: 1500, preimage: "ab")),
        Case(name: "520 failed and no record: LNbits refused, nothing paid", pay: (520, #"{"detail":"Insufficient balance.","status":"failed"}"#),
             record: (404, #"{"detail":"Payment does not exist."}"#), expected: .failed(reason: "LNbits did not pay: Insufficient balance.")),
        Case(name: "520 failed but the record says paid (an earlier success): paid", pay: (520, #"{"detail":"Internal invoice already paid.","status":"failed"}"#),
             record: (200, #"{"paid":true,"preimage":"cd","details":{"fee":0}}"#), expected: .paid(feeMsat: 0, preimage: "cd")),
        Case(name: "a proxy's 504 and no record yet: unknown, inputs kept", pay: (504, "<html>gateway timeout</html>"),
             record: (404, #"{"detail":"Payment does not exist."}"#), expected: .unknown),
        Case(name: "201 pending and no record readable: unknown, inputs kept", pay: (201, #"{"status":"pending"}"#),
             record: (404, #"{"detail":"Payment does not exist."}"#), expected: .unknown),
        Case(name: "520 pending, record pending: pending", pay: (520, #"{"detail":"Payment is still pending.","status":"pending"}"#),
             record: (200, #"{"paid":false,"status":"pending"}"#), expected: .pending),
        Case(name: "garbage with status 200: the record decides (failed)", pay: (200, "not json"),
             record: (200, #"{"paid":false,"status":"failed"}"#), expected: .failed(reason: "HTTP 200")),
        Case(name: "HTTP 500 and the record errors too: unknown", pay: (500, "{}"), record: (500, "{}"), expected: .unknown),
        Case(name: "429 from LNbits' rate limiter and no record: not paid", pay: (429, #"{"error":"Rate limit exceeded: 200 per 1 minute"}"#),
             record: (404, #"{"detail":"Payment does not exist."}"#), expected: .failed(reason: "LNbits did not pay: HTTP 429")),
    ]

    @Test("each answer to a payment, checked against LNbits' record", arguments: cases)
    func answers(_ c: Case) async throws {
        var script = Script()
        script.pay = (c.pay.0, c.pay.1)
        script.record = (c.record.0, c.record.1)
        try await Self.withServer(script) { backend, _ in
            let invoice = try Self.invoice()
            let result = try await backend.pay(invoice: invoice, amountMsat: 100_000, maxFeeMsat: 5000)
            #expect(result == c.expected)
        }
    }

    @Test("LNbits' own fee reserve above the quote's: nothing is sent; a quote reserves at least LNbits' reserve")
    func feeReserve() async throws {
        var script = Script()
        script.feeReserve = 9000
        try await Self.withServer(script) { backend, state in
            let invoice = try Self.invoice()
            let result = try await backend.pay(invoice: invoice, amountMsat: 100_000, maxFeeMsat: 5000)
            guard case .failed = result else { Issue.record("expected failed, got \(result)"); return }
            #expect(state.state.withLock { $0.payCalls } == 0)
            #expect(try await backend.feeReserveMsat(invoice: invoice, amountMsat: 100_000) == 9000)
        }
    }

    @Test("an admin key never appears in the backend's description")
    func redacted() {
        let settings = LNbitsBackend.Settings(url: "https://user:pass@lnbits.example.com", adminKey: "secret-admin-key")
        #expect(!"\(settings)".contains("secret-admin-key") && !"\(settings)".contains("pass"))
    }
}
