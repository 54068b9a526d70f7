import CashuProtocol
import Foundation
import TestSupport
import Testing

/// The mint's HTTP connections under clients that misbehave: idle, slow headers, too many connections, oversized
/// declared bodies, `Expect: 100-continue`, garbage.
@Suite("HTTP connections: timeouts, cap, limits", .serialized)
struct HTTPConnectionTests {
    static let checkstate = #"{"Ys":["02a9acc1e48c25eeeb9289b5031cc57da9fe72f3fe2861d264bdc074209b107ba2"]}"#

    @Test("an idle connection is closed after http_idle_timeout, one with unfinished headers after http_header_timeout")
    func timeouts() async throws {
        let mint = try await CashewMintProcess(environment: [
            "CASHEW_HTTP_IDLE_TIMEOUT": "2", "CASHEW_HTTP_HEADER_TIMEOUT": "3", "CASHEW_HTTP_BODY_TIMEOUT": "3",
        ])
        defer {
            mint.stop()
            mint.removeData()
        }
        let idle = try RawConnection(port: mint.port)
        let idleClosed = try #require(idle.secondsUntilClosed(), "an idle connection stays open")
        #expect(idleClosed >= 1.5 && idleClosed < 8, "closed after \(idleClosed) s")

        // A request line and one header, then nothing: closed by the header timeout (3 s), not left open.
        let slow = try RawConnection(port: mint.port)
        slow.send("GET /v1/info HTTP/1.1\r\nHost: x\r\n")
        let slowClosed = try #require(slow.secondsUntilClosed(), "a connection with unfinished headers stays open")
        #expect(slowClosed >= 2.5 && slowClosed < 9, "closed after \(slowClosed) s")

        // A body that stalls: the connection is closed by the body timeout.
        let stalled = try RawConnection(port: mint.port)
        stalled.send("POST /v1/checkstate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"Ys\":")
        let stalledClosed = try #require(stalled.secondsUntilClosed(), "a stalled upload stays open")
        #expect(stalledClosed < 9, "closed after \(stalledClosed) s")
    }

    @Test("a connection kept busy with requests outlives the idle timeout")
    func busy() async throws {
        let mint = try await CashewMintProcess(environment: ["CASHEW_HTTP_IDLE_TIMEOUT": "3"])
        defer {
            mint.stop()
            mint.removeData()
        }
        // Ten requests half a second apart: five seconds in all, longer than the idle timeout.
        let busy = try RawConnection(port: mint.port)
        for i in 0..<10 {
            busy.send("GET /v1/keysets HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = busy.read(until: { $0.contains("\"keysets\"") && $0.hasSuffix("]}") })
            try #require(answer.text.hasPrefix("HTTP/1.1 200") && !answer.closed, "request \(i): \(answer)")
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    @Test("past http_max_connections new connections wait; idle ones are reclaimed and the mint answers again")
    func connectionCap() async throws {
        let mint = try await CashewMintProcess(environment: ["CASHEW_HTTP_MAX_CONNECTIONS": "20", "CASHEW_HTTP_IDLE_TIMEOUT": "2"])
        defer {
            mint.stop()
            mint.removeData()
        }
        let baseline = mint.openDescriptors
        // Connections past the cap stay in the kernel's backlog, so they cost the mint no descriptor. (An accept
        // round takes up to a few connections at once, so the cap can be passed by that many.)
        let idle = try (0..<60).map { _ in try RawConnection(port: mint.port) }
        try await Task.sleep(for: .milliseconds(500))
        #expect(mint.openDescriptors <= baseline + 20 + 8, "the mint holds \(mint.openDescriptors - baseline) connections with a cap of 20")
        let started = Date()
        let info = try await HTTPJSON.get(MintInfo.self, mint.url + "/v1/info", timeout: 15)
        _ = try HTTPJSON.value(info)
        #expect(Date().timeIntervalSince(started) < 10, "answered after \(Date().timeIntervalSince(started)) s")
        #expect(mint.logs.contains("HTTP connection cap reached"), "the operator is told")
        withExtendedLifetime(idle) {}
    }

    @Test("a declared body over max_body_size is refused at once with 413 and a NUT error; Expect: 100-continue is answered")
    func bodyLimitAndContinue() async throws {
        let mint = try await CashewMintProcess(environment: ["CASHEW_MAX_BODY_SIZE": "65536"])
        defer {
            mint.stop()
            mint.removeData()
        }
        // Waiting for 100 Continue: the answer is 413 at once, and no body is asked for.
        let waiting = try RawConnection(port: mint.port, timeout: 5)
        waiting.send("POST /v1/swap HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 70000\r\nExpect: 100-continue\r\n\r\n")
        let refused = waiting.read(until: { $0.contains("}") })
        #expect(refused.text.hasPrefix("HTTP/1.1 413"), "\(refused.text)")
        #expect(refused.text.contains(#""code":10000"#) && refused.text.contains("larger than 65536 bytes"), "\(refused.text)")

        // Sending the body anyway: the answer is still 413 and readable.
        let sending = try RawConnection(port: mint.port, timeout: 5)
        sending.send("POST /v1/swap HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 70000\r\n\r\n")
        sending.send(String(repeating: " ", count: 70000))
        let refusedToo = sending.read(until: { $0.contains("}") })
        #expect(refusedToo.text.hasPrefix("HTTP/1.1 413"), "\(refusedToo.text)")

        // Within the limit: 100 Continue first, then the answer once the body is sent.
        let ok = try RawConnection(port: mint.port, timeout: 5)
        ok.send("POST /v1/checkstate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(Self.checkstate.utf8.count)\r\nExpect: 100-continue\r\n\r\n")
        let interim = ok.read(until: { $0.contains("\r\n\r\n") })
        #expect(interim.text.hasPrefix("HTTP/1.1 100 Continue"), "\(interim.text)")
        ok.send(Self.checkstate)
        let answer = ok.read(until: { $0.contains("UNSPENT") })
        #expect(answer.text.contains("HTTP/1.1 200") && answer.text.contains("UNSPENT"), "\(answer.text)")
    }

    struct Malformed: CustomTestStringConvertible, Sendable {
        let name: String
        let request: String
        let status: String
        var testDescription: String { name }
    }

    @Test("malformed HTTP is answered in the NUT error format", arguments: [
        Malformed(name: "garbage request line", request: "GARBAGE\r\n\r\n", status: "400"),
        Malformed(
            name: "100 kB header", request: "GET /v1/info HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n",
            status: "431"),
        Malformed(
            name: "two Content-Lengths", request: "POST /v1/checkstate HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n",
            status: "400"),
    ])
    func malformed(_ malformed: Malformed) async throws {
        let (request, status) = (malformed.request, malformed.status)
        let mint = try await CashewMintProcess()
        defer {
            mint.stop()
            mint.removeData()
        }
        let connection = try RawConnection(port: mint.port, timeout: 5)
        connection.send(request)
        let answer = connection.read(until: { $0.contains("}") })
        #expect(answer.text.hasPrefix("HTTP/1.1 \(status)"), "\(answer.text.prefix(200))")
        #expect(answer.text.contains(#""code":10000"#) && answer.text.contains(#""detail":"#), "\(answer.text.prefix(300))")
    }
}
