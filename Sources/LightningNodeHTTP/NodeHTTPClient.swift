import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// A node's REST API as LND and Core Lightning serve it: JSON over HTTPS with the node's own certificate, an
/// authentication header (a macaroon, a rune), a timeout on every call, and line-delimited JSON streams. The
/// header's value never appears in a description or an error.
public struct NodeHTTPClient: Sendable, CustomStringConvertible {
    public let baseURL: String
    let authHeader: (name: String, value: String)
    let tls: TLSConfiguration?
    /// Timeout of a call that gives none.
    public let timeout: Duration

    /// - Parameter certificateFile: a PEM file of the certificate (or CA) the node's TLS certificate must chain to;
    ///   nil trusts the system's roots.
    public init(url: String, authHeader: (name: String, value: String), certificateFile: String?, timeout: Duration) throws {
        guard url.hasPrefix("https://") || Self.isLoopback(url) else {
            throw NodeCallError("\(Self.redacted(url)) is not https: the node's credential would cross the network in the clear (plain http only on loopback)")
        }
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.authHeader = authHeader
        self.timeout = timeout
        if let certificateFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificateFile))
            } catch {
                throw NodeCallError("cannot read the certificate file \(certificateFile): \(error)")
            }
            self.tls = tls
        } else {
            tls = nil
        }
    }

    /// Without the header's value (and without credentials in the URL).
    public var description: String { "NodeHTTPClient(\(Self.redacted(baseURL)))" }

    /// Whether `url` names this machine (127.0.0.0/8, ::1, localhost), where plain http does not leave the host.
    public static func isLoopback(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// `url` without user and password, for logs.
    public static func redacted(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.user != nil || parts.password != nil else { return url }
        parts.user = nil
        parts.password = nil
        return parts.string ?? "(url)"
    }

    public func get(_ path: String, timeout: Duration? = nil) async throws -> NodeAnswer {
        try await send(.GET, path, body: nil, timeout: timeout)
    }

    public func post(_ path: String, _ body: [String: Any], timeout: Duration? = nil) async throws -> NodeAnswer {
        try await send(.POST, path, body: try JSONSerialization.data(withJSONObject: body), timeout: timeout)
    }

    func request(_ method: HTTPMethod, _ path: String, body: Data?) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.tlsConfiguration = tls
        request.headers.add(name: authHeader.name, value: authHeader.value)
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    /// The HTTP client of every node backend (LNbits too). Not `HTTPClient.shared`: that one follows redirects, and a redirect to
    /// another host would carry the macaroon or rune along (only `Authorization` and cookies are dropped); and its
    /// 90-s read timeout would cut LND's invoice stream, which is silent between payments. Each call has its own
    /// deadline instead. Process-wide, like `HTTPClient.shared`, so it is never shut down.
    public static let http = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: {
            var c = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: nil))
            // Payments to hold invoices keep a connection each for up to the pay timeout: over HTTP/1.1 the default
            // of 8 per host would leave status and health calls waiting behind them.
            c.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
            return c
        }())

    func send(_ method: HTTPMethod, _ path: String, body: Data?, timeout: Duration?) async throws -> NodeAnswer {
        let request = request(method, path, body: body)
        do {
            let response = try await Self.http.execute(request, timeout: TimeAmount(timeout ?? self.timeout))
            let bytes = try await response.body.collect(upTo: 16 << 20)
            return NodeAnswer(status: Int(response.status.code), bytes: Array(bytes.readableBytesView))
        } catch {
            throw NodeCallError(transport: error, "\(method) \(Self.redactedPath(path))")
        }
    }

    /// Calls a streaming endpoint and hands each JSON line to `line` until it returns a value (the stream is then
    /// closed), the stream ends (nil), or `timeout` passes (a timed-out `NodeCallError`). A non-2xx answer that is not
    /// a stream is handed over as one line with its status.
    public func stream<T: Sendable>(
        _ method: HTTPMethod, _ path: String, body: [String: Any]?, timeout: Duration?, line: (NodeAnswer) async throws -> T?
    ) async throws -> T? {
        let request = request(method, path, body: try body.map { try JSONSerialization.data(withJSONObject: $0) })
        let deadline: NIODeadline = timeout.map { .now() + TimeAmount($0) } ?? .distantFuture
        // What `line` throws is the caller's own error and passes through unchanged; only the transport's errors
        // become `NodeCallError`.
        func handle(_ answer: NodeAnswer) async throws -> T? {
            do { return try await line(answer) } catch { throw LineHandlerError(error: error) }
        }
        do {
            let response = try await Self.http.execute(request, deadline: deadline)
            let status = Int(response.status.code)
            var pending = [UInt8]()
            for try await chunk in response.body {
                pending.append(contentsOf: chunk.readableBytesView)
                guard pending.count <= 16 << 20 else { throw NodeCallError("the node's stream sent an oversized line") }
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let text = Array(pending[..<newline])
                    pending.removeSubrange(...newline)
                    guard text.contains(where: { $0 > 32 }) else { continue }
                    if let value = try await handle(NodeAnswer(status: status, bytes: text)) { return value }
                }
            }
            if pending.contains(where: { $0 > 32 }), let value = try await handle(NodeAnswer(status: status, bytes: pending)) { return value }
            return nil
        } catch let error as LineHandlerError {
            throw error.error
        } catch let error as NodeCallError {
            throw error
        } catch {
            throw NodeCallError(transport: error, "\(method) \(Self.redactedPath(path))")
        }
    }

    /// The path without long segments (payment hashes), for messages.
    static func redactedPath(_ path: String) -> String {
        path.split(separator: "?").first.map { $0.split(separator: "/").map { $0.count >= 32 ? "…" : String($0) }.joined(separator: "/") } ?? ""
    }
}

/// An error thrown by a stream's line handler, carried past the transport's error handling unchanged.
struct LineHandlerError: Error {
    let error: any Error
}

/// A node's answer: its HTTP status and body (a JSON object when `json` is not empty).
public struct NodeAnswer: @unchecked Sendable {
    public let status: Int
    public let bytes: [UInt8]
    public let json: [String: Any]

    public init(status: Int, bytes: [UInt8]) {
        self.status = status
        self.bytes = bytes
        json = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
    }

    public var ok: Bool { (200..<300).contains(status) }

    /// A short description for messages: the node's message, or the status.
    public var detail: String {
        let message = (json["message"] as? String) ?? ((json["error"] as? [String: Any])?["message"] as? String)
        return message.map { "\(String($0.prefix(200))) (HTTP \(status))" } ?? "HTTP \(status)"
    }
}

/// The node could not be asked, or answered something unreadable: nothing is known about what the call did.
public struct NodeCallError: Error, Sendable, CustomStringConvertible {
    public let description: String
    /// The node was reached but did not answer in time.
    public let timedOut: Bool

    public init(_ description: String, timedOut: Bool = false) {
        self.description = description
        self.timedOut = timedOut
    }

    init(transport error: any Error, _ call: String) {
        let timedOut = (error as? HTTPClientError).map { [.deadlineExceeded, .readTimeout, .writeTimeout].contains($0) } ?? false
        let reason = (error as? HTTPClientError).map { "\($0)" } ?? (error as? NIOSSLError).map { "TLS: \($0)" } ?? (error as? IOError).map { "\($0)" } ?? "\(type(of: error))"
        self.init("cannot reach the node (\(call): \(reason))", timedOut: timedOut)
    }
}
