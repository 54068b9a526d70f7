@testable import CashewMintServer
import CashuProtocol
import Foundation
import FoundationNetworking
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The pieces of the per-client limits: addresses and ranges, who a request is from behind proxies, token
/// buckets, and requests in flight through a live server.
@Suite("Request limits: client addresses, token buckets, requests in flight")
struct RequestLimitTests {
    @Test("addresses and CIDR ranges, IPv4-mapped IPv6 as IPv4, IPv6 counted by /64")
    func addresses() throws {
        #expect(IPAddress("192.0.2.1")?.bytes == [192, 0, 2, 1])
        #expect(IPAddress("::ffff:192.0.2.1") == IPAddress("192.0.2.1"))
        #expect(IPAddress("[2001:db8::1]")?.description == "2001:db8::1")
        #expect(IPAddress("300.1.1.1") == nil && IPAddress("unknown") == nil && IPAddress("") == nil)
        let range = try #require(IPRange("10.0.0.0/8"))
        #expect(range.contains(IPAddress("10.200.3.4")!) && !range.contains(IPAddress("11.0.0.1")!))
        #expect(!range.contains(IPAddress("::1")!))
        #expect(IPRange("fd00::/8")!.contains(IPAddress("fdab::1")!))
        #expect(IPRange("192.0.2.1")!.contains(IPAddress("192.0.2.1")!) && !IPRange("192.0.2.1")!.contains(IPAddress("192.0.2.2")!))
        #expect(IPRange("10.0.0.0/33") == nil && IPRange("10.0.0.0/-1") == nil && IPRange("nonsense/8") == nil)
        #expect(IPRange("0.0.0.0/0")!.contains(IPAddress("8.8.8.8")!))
        #expect(IPAddress("2001:db8:1:2:aaaa::1")!.clientKey == IPAddress("2001:db8:1:2:bbbb::9")!.clientKey)
        #expect(IPAddress("2001:db8:1:3::1")!.clientKey != IPAddress("2001:db8:1:2::1")!.clientKey)
    }

    @Test("the client behind trusted proxies: the nearest untrusted hop, never what an untrusted peer claims")
    func forwarded() throws {
        let resolver = ClientAddressResolver(trustedProxies: [IPRange("10.0.0.0/8")!])
        let rfc7239 = ClientAddressResolver(trustedProxies: [IPRange("10.0.0.0/8")!], header: .forwarded)
        let proxy = IPAddress("10.0.0.5")!
        func client(_ peer: IPAddress, _ fields: [(String, String)], _ r: ClientAddressResolver? = nil) -> String? {
            var headers = HTTPFields()
            for (name, value) in fields { headers.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
            return (r ?? resolver).client(peer: peer, headers: headers)?.description
        }
        #expect(client(proxy, []) == "10.0.0.5")
        #expect(client(proxy, [("X-Forwarded-For", "198.51.100.7")]) == "198.51.100.7")
        // A client's own header passes through the proxy: the proxy appends the real address, which is what counts.
        #expect(client(proxy, [("X-Forwarded-For", "1.2.3.4, 198.51.100.7")]) == "198.51.100.7")
        #expect(client(proxy, [("X-Forwarded-For", "198.51.100.7, 10.0.0.9")]) == "198.51.100.7")
        #expect(client(proxy, [("X-Forwarded-For", "1.2.3.4"), ("X-Forwarded-For", "198.51.100.8")]) == "198.51.100.8")
        #expect(client(proxy, [("X-Forwarded-For", "garbage, 198.51.100.7")]) == "198.51.100.7")
        #expect(client(proxy, [("X-Forwarded-For", "198.51.100.7, garbage")]) == "10.0.0.5")
        // Only the configured header counts: a `Forwarded` a client sent through an X-Forwarded-For proxy is ignored.
        #expect(client(proxy, [("Forwarded", "for=127.0.0.1"), ("X-Forwarded-For", "198.51.100.2")]) == "198.51.100.2")
        #expect(client(proxy, [("Forwarded", "for=127.0.0.1")]) == "10.0.0.5")
        #expect(client(proxy, [("Forwarded", #"for=192.0.2.60;proto=http;by=203.0.113.43"#)], rfc7239) == "192.0.2.60")
        #expect(client(proxy, [("Forwarded", #"for="[2001:db8:cafe::17]:4711", for=10.0.0.7"#)], rfc7239) == "2001:db8:cafe::17")
        #expect(client(proxy, [("Forwarded", "for=192.0.2.43:8080")], rfc7239) == "192.0.2.43")
        #expect(client(proxy, [("Forwarded", "for=unknown")], rfc7239) == "10.0.0.5")
        #expect(client(proxy, [("Forwarded", "for=192.0.2.1"), ("X-Forwarded-For", "192.0.2.2")], rfc7239) == "192.0.2.1")
        // An untrusted peer's headers are ignored.
        #expect(client(IPAddress("203.0.113.9")!, [("X-Forwarded-For", "198.51.100.7"), ("Forwarded", "for=192.0.2.1")]) == "203.0.113.9")
        // What came from a header is marked as such (never exempt), what did not is not.
        var headers = HTTPFields()
        headers.append(HTTPField(name: HTTPField.Name("X-Forwarded-For")!, value: "127.0.0.1"))
        #expect(ClientAddressResolver(trustedProxies: [IPRange("127.0.0.0/8")!]).resolve(peer: IPAddress("127.0.0.1")!, headers: headers).forwarded)
        #expect(!resolver.resolve(peer: proxy, headers: HTTPFields()).forwarded)
    }

    @Test("token buckets: a burst, then the sustained rate, per client")
    func buckets() {
        let buckets = TokenBuckets(perMinute: 60, burst: 3)
        let a = IPAddress("192.0.2.1")!, b = IPAddress("192.0.2.2")!
        let t0 = ContinuousClock.now
        #expect((0..<3).map { _ in buckets.take(a, now: t0) } == [nil, nil, nil])
        #expect(buckets.take(a, now: t0) == 1)
        #expect(buckets.take(b, now: t0) == nil)
        #expect(buckets.take(a, now: t0 + .milliseconds(500)) == 1)
        #expect(buckets.take(a, now: t0 + .milliseconds(1100)) == nil)
        #expect(buckets.take(a, now: t0 + .milliseconds(1200)) == 1)
        // Refilled to the burst, not beyond.
        let later = t0 + .seconds(3600)
        #expect((0..<3).map { _ in buckets.take(a, now: later) } == [nil, nil, nil])
        #expect(buckets.take(a, now: later) != nil)
        // Idle clients' full buckets are dropped once a shard grows.
        let small = TokenBuckets(perMinute: 60, burst: 1, shards: 1, sweepAbove: 10)
        for i in 0..<50 { _ = small.take(IPAddress("10.0.0.\(i)")!, now: t0) }
        _ = small.take(IPAddress("10.0.1.1")!, now: t0 + .seconds(120))
        #expect(small.count <= 11)
    }

    @Test("requests in flight: per client and in all, refused at once, released after the response")
    func inFlight() async throws {
        var settings = RequestLimitSettings()
        settings.exempt = []
        settings.enabled = false
        settings.maxInFlight = 3
        settings.maxInFlightPerClient = 2
        let limits = RequestLimits(settings)
        let router = Router(context: MintRequestContext.self)
        router.add(middleware: RequestLimitMiddleware(limits: limits))
        router.get("slow") { _, _ in
            try await Task.sleep(for: .milliseconds(800))
            return "done"
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let url = URL(string: "http://127.0.0.1:\(try #require(client.port))/slow")!
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpMaximumConnectionsPerHost = 16
            let session = URLSession(configuration: configuration)
            // Five at once from one client, on five connections.
            let statuses = await withTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<5 {
                    group.addTask {
                        guard let (_, response) = try? await session.data(from: url), let http = response as? HTTPURLResponse else { return (-1, nil) }
                        return (http.statusCode, http.value(forHTTPHeaderField: "Retry-After"))
                    }
                }
                return await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0.0 == 200 }.count == 2, "\(statuses)")
            #expect(statuses.filter { $0.0 == 429 && $0.1 == "1" }.count == 3, "\(statuses)")
            #expect(limits.inFlight.inFlight == 0)
            let again = try await client.execute(uri: "/slow", method: .get)
            #expect(again.status == .ok)
        }
    }
}
