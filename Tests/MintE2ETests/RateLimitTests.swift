import Foundation
import TestSupport
import Testing

/// Per-client limits of a real `cashew-mint`, loaded from several loopback addresses (127.0.0.2, .3, …) by a Python
/// client that binds its source address: one address over its limit is refused (429, `Retry-After`, NUT error) and
/// slows nobody else; forwarded addresses count only through a trusted proxy; connections per client are capped.
@Suite("Rate limits from several client addresses", .enabled(if: Interop.available || Interop.required), .serialized)
struct RateLimitTests {
    static let driver = #"""
        import http.client, json, socket, sys, threading, time
        port = int(sys.argv[1])
        out = {}

        def connect(src):
            return http.client.HTTPConnection("127.0.0.1", port, source_address=(src, 0), timeout=10)

        def call(conn, method, path, body=None, headers=None):
            h = {"Content-Type": "application/json"}
            h.update(headers or {})
            start = time.monotonic()
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
            r = conn.getresponse()
            data = r.read()
            return r.status, r.getheader("Retry-After"), data, time.monotonic() - start

        quote = ("POST", "/v1/mint/quote/bolt11", {"amount": 1, "unit": "sat"})

        # 1. 127.0.0.2 floods quote requests for 3 s on 4 connections while 127.0.0.3 asks every 0.4 s.
        flood = {"ok": 0, "limited": 0, "other": 0, "sample": None}
        lock = threading.Lock()
        stop = time.monotonic() + 3
        def flooder():
            c = connect("127.0.0.2")
            while time.monotonic() < stop:
                s, ra, data, _ = call(c, *quote)
                with lock:
                    if s == 200: flood["ok"] += 1
                    elif s == 429:
                        flood["limited"] += 1
                        if flood["sample"] is None: flood["sample"] = {"retry_after": ra, "body": json.loads(data)}
                    else: flood["other"] += 1
        polite = []
        def polite_client():
            c = connect("127.0.0.3")
            for _ in range(7):
                s, _, _, t = call(c, *quote)
                polite.append([s, t])
                time.sleep(0.4)
        threads = [threading.Thread(target=flooder) for _ in range(4)] + [threading.Thread(target=polite_client)]
        for t in threads: t.start()
        for t in threads: t.join()
        out["flood"] = flood
        out["polite"] = polite
        # The flooder's reads have a bucket of their own.
        out["flooder_read"] = call(connect("127.0.0.2"), "GET", "/v1/keys")[0]

        # 2. An untrusted peer cannot pick its identity with X-Forwarded-For.
        c = connect("127.0.0.4")
        out["spoof"] = [call(c, *quote, headers={"X-Forwarded-For": "9.9.9.%d" % i})[0] for i in range(15)]

        # 3. Through the trusted proxy (127.0.0.1) each forwarded client has its own bucket; the proxy itself is exempt.
        c = connect("127.0.0.1")
        out["forwarded_a"] = [call(c, *quote, headers={"X-Forwarded-For": "198.51.100.1"})[0] for i in range(15)]
        out["forwarded_b"] = [call(c, *quote, headers={"X-Forwarded-For": "198.51.100.1, 198.51.100.2"})[0] for i in range(5)]
        out["exempt"] = [call(c, *quote)[0] for i in range(30)]
        # A forwarded address is never exempt, not even a loopback one; a Forwarded header the proxy does not set is ignored.
        out["forwarded_loopback"] = [call(c, *quote, headers={"X-Forwarded-For": "127.0.0.1"})[0] for i in range(15)]
        out["rfc7239_ignored"] = [call(c, *quote, headers={"Forwarded": "for=198.51.100.50"})[0] for i in range(15)]

        # 4. At most 4 connections from one client: the rest are closed without an answer.
        socks = []
        for i in range(8):
            s = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.5", 0))
            socks.append(s)
            time.sleep(0.05)
        answered = 0
        for s in socks:
            try:
                s.settimeout(5)
                s.sendall(b"GET /v1/info HTTP/1.1\r\nHost: x\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/1.1 200"): answered += 1
            except OSError:
                pass
        for s in socks: s.close()
        out["connections_answered"] = answered
        print(json.dumps(out))
        """#

    @Test("one address over its limit is refused and slows nobody else; forwarded addresses count only through a trusted proxy")
    func severalClients() async throws {
        let mint = try await CashewMintProcess(environment: [
            "CASHEW_RATE_LIMIT_WRITES": "60", "CASHEW_RATE_LIMIT_WRITE_BURST": "10",
            "CASHEW_TRUSTED_PROXIES": "127.0.0.1", "CASHEW_MAX_CLIENT_CONNECTIONS": "4",
        ])
        defer { mint.stop(); mint.removeData() }
        let output = try await Interop.python(Self.driver, arguments: [String(mint.port)])
        let out = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])

        let flood = try #require(out["flood"] as? [String: Any])
        let ok = flood["ok"] as? Int ?? -1, limited = flood["limited"] as? Int ?? -1
        // A burst of 10 and one a second for ~3 s: at most 10 + 4 (a little slack for the clock), the rest refused.
        #expect((10...15).contains(ok) && limited > 20 && flood["other"] as? Int == 0, "\(flood)")
        let sample = try #require(flood["sample"] as? [String: Any])
        #expect(Int(sample["retry_after"] as? String ?? "") ?? 0 >= 1)
        let body = try #require(sample["body"] as? [String: Any])
        #expect(body["code"] as? Int == 10000 && (body["detail"] as? String)?.contains("rate limit") == true, "\(body)")

        // The polite client was never refused, and each of its requests was answered promptly despite the flood.
        let polite = try #require(out["polite"] as? [[Double]])
        #expect(polite.count == 7 && polite.allSatisfy { $0[0] == 200 }, "\(polite)")
        #expect(polite.allSatisfy { $0[1] < 2 }, "\(polite)")
        #expect(out["flooder_read"] as? Int == 200)

        let spoof = try #require(out["spoof"] as? [Int])
        #expect(spoof.filter { $0 == 200 }.count == 10 && spoof.filter { $0 == 429 }.count == 5, "\(spoof)")
        let a = try #require(out["forwarded_a"] as? [Int]), b = try #require(out["forwarded_b"] as? [Int])
        #expect(a.filter { $0 == 200 }.count == 10 && a.filter { $0 == 429 }.count == 5, "\(a)")
        #expect(b.allSatisfy { $0 == 200 }, "\(b)")
        #expect((out["exempt"] as? [Int])?.allSatisfy { $0 == 200 } == true)
        let loopback = try #require(out["forwarded_loopback"] as? [Int])
        #expect(loopback.filter { $0 == 200 }.count == 10 && loopback.filter { $0 == 429 }.count == 5, "\(loopback)")
        // Read as the proxy's own requests (exempt): honoured, the header would have limited 198.51.100.50 after 10.
        #expect((out["rfc7239_ignored"] as? [Int])?.allSatisfy { $0 == 200 } == true)
        #expect(out["connections_answered"] as? Int == 4)
        #expect(mint.isRunning)
    }
}
