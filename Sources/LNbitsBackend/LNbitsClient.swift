import AsyncHTTPClient
import Foundation
import LightningNodeHTTP
import NIOCore
import NIOHTTP1

/// LNbits' REST API, as far as the mint uses it: JSON requests with the wallet's key in `X-Api-Key`, over
/// AsyncHTTPClient with a timeout on every call. Errors never carry the key.
struct LNbitsClient: Sendable, CustomStringConvertible {
    let baseURL: String
    let key: String
    let timeout: Duration

    /// An answer: the HTTP status and the JSON object (empty when the body was not a JSON object).
    struct Answer: @unchecked Sendable {
        let status: Int
        let json: [String: Any]

        var detail: String { (json["detail"] as? String).map { String($0.prefix(200)) } ?? "HTTP \(status)" }
    }

    /// Without the key.
    var description: String { "LNbitsClient(\(LNbitsBackend.Settings.redacted(baseURL)))" }

    init(url: String, key: String, timeout: Duration) {
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.key = key
        self.timeout = timeout
    }

    func get(_ path: String, timeout: Duration? = nil) async throws -> Answer {
        try await send(.GET, path, body: nil, timeout: timeout)
    }

    func post(_ path: String, _ body: [String: Any], timeout: Duration? = nil) async throws -> Answer {
        try await send(.POST, path, body: try JSONSerialization.data(withJSONObject: body), timeout: timeout)
    }

    func send(_ method: HTTPMethod, _ path: String, body: Data?, timeout: Duration?) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "X-Api-Key", value: key)
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let limit = timeout ?? self.timeout
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            // The node backends' client: no redirects (the `X-Api-Key` would go along), no idle read timeout.
            response = try await NodeHTTPClient.http.execute(request, timeout: TimeAmount(limit))
            bytes = try await response.body.collect(upTo: 4 << 20)
        } catch {
            let timedOut = (error as? HTTPClientError).map { [.deadlineExceeded, .readTimeout, .writeTimeout].contains($0) } ?? false
            throw LNbitsClientError.transport("\(method) \(Self.redactedPath(path)): \(Self.describe(error))", timedOut: timedOut)
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any] ?? [:]
        return Answer(status: Int(response.status.code), json: json)
    }

    /// The path without a payment hash or key segment, for messages.
    static func redactedPath(_ path: String) -> String {
        path.split(separator: "/").map { $0.count >= 32 ? "…" : String($0) }.joined(separator: "/")
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError { return "\(e)" }
        return "\(type(of: error))"
    }
}

/// LNbits could not be asked: nothing is known about what the call did.
enum LNbitsClientError: Error, CustomStringConvertible {
    /// The call failed on the way; `timedOut` when LNbits was reached but too slow (it serialises payments).
    case transport(String, timedOut: Bool)

    var description: String {
        switch self {
        case let .transport(message, _): "cannot reach LNbits (\(message))"
        }
    }

    var timedOut: Bool {
        switch self {
        case let .transport(_, timedOut): timedOut
        }
    }
}
