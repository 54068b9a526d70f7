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

    public static func get<T: Decodable & Sendable>(_ type: T.Type, _ url: String) async throws -> Outcome<T> {
        try await send(URLRequest(url: URL(string: url)!))
    }

    public static func post<T: Decodable & Sendable, B: Encodable>(_ type: T.Type, _ url: String, _ body: B) async throws -> Outcome<T> {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONEncoder().encode(body)
        return try await send(request)
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
