import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A bare HTTP/1.1 keep-alive connection for the measured loop: one request at a time, each response read whole.
///
/// The load generator shares the machine (and its two cores) with the mint and PostgreSQL, so the cheaper it is,
/// the more of the machine the mint gets: this costs a fraction of a general HTTP client per request (no pool, no
/// redirects, no per-request task). Setup requests still use AsyncHTTPClient.
struct RawHTTPConnection {
    typealias Channel = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Connects to `base` (`http://host:port`), runs `body` with a request function, and closes the connection.
    static func with<T: Sendable>(
        base: String, _ body: (_ post: (_ path: String, _ body: ByteBuffer) async throws -> (status: Int, body: ByteBuffer)) async throws -> T
    ) async throws -> T {
        guard let url = URLComponents(string: base), url.scheme == "http", let host = url.host else {
            throw Failure(description: "the swap load needs an http:// mint URL, not \(base)")
        }
        let port = url.port ?? 80
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try Channel(wrappingChannelSynchronously: channel)
                }
            }
        let hostHeader = url.port.map { "\(host):\($0)" } ?? host
        return try await channel.executeThenClose { inbound, outbound in
            var responses = inbound.makeAsyncIterator()
            return try await body { path, requestBody in
                var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
                head.headers.add(name: "Host", value: hostHeader)
                head.headers.add(name: "Content-Type", value: "application/json")
                head.headers.add(name: "Content-Length", value: String(requestBody.readableBytes))
                try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(requestBody)), .end(nil)])
                var status = 0
                var collected = ByteBuffer()
                while let part = try await responses.next() {
                    switch part {
                    case let .head(h): status = Int(h.status.code)
                    case var .body(chunk): collected.writeBuffer(&chunk)
                    case .end: return (status, collected)
                    }
                }
                throw Failure(description: "the mint closed the connection")
            }
        }
    }
}
