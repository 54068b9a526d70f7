import CashuProtocol
import Foundation
import FoundationNetworking

/// A small JSON-over-HTTP client for tests: returns the decoded body, or the NUT error the server sent.
public enum HTTPJSON {
    public enum Outcome<T: Sendable>: Sendable {
        case ok(T)
        case error(CashuError, status: Int)
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 120
        configuration.httpMaximumConnectionsPerHost = 64
        return URLSession(configuration: configuration)
    }()

    /// GETs `url`; `timeout` bounds the whole request (a hung server fails the call instead of the test run).
    public static func get<T: Decodable & Sendable>(_ type: T.Type, _ url: String, timeout: TimeInterval = 120) async throws -> Outcome<T> {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = timeout
        return try await send(request)
    }

    /// POSTs `body` as JSON to `url`.
    public static func post<T: Decodable & Sendable, B: Encodable>(
        _ type: T.Type, _ url: String, _ body: B, timeout: TimeInterval = 120
    ) async throws -> Outcome<T> {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = timeout
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONEncoder().encode(body)
        return try await send(request)
    }

    /// The status and body of a GET (or of `method` with `body` as JSON), whatever they are.
    public static func raw(_ url: String, method: String = "GET", body: String? = nil, timeout: TimeInterval = 120) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = timeout
        request.httpMethod = method
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.utf8)
        }
        let (data, response) = try await session.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    static func send<T: Decodable & Sendable>(_ request: URLRequest) async throws -> Outcome<T> {
        let (data, response) = try await session.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        if status == 200 { return .ok(try JSONDecoder().decode(T.self, from: data)) }
        guard let error = try? JSONDecoder().decode(CashuError.self, from: data) else {
            throw Interop.Failure(description: "HTTP \(status): \(String(decoding: data, as: UTF8.self))")
        }
        return .error(error, status: status)
    }

    /// The value of a successful call; throws the NUT error otherwise.
    public static func value<T>(_ outcome: Outcome<T>) throws -> T {
        switch outcome {
        case let .ok(v): return v
        case let .error(e, _): throw e
        }
    }
}
