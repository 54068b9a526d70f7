import CashewMintServer
import CashewSQLiteStore
import CashuCrypto
import CashuMint
import CashuProtocol
import FakeLightning
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import Testing

/// A mint behind its real router, exercised through Hummingbird's in-process test client.
struct APIHarness {
    let mint: Mint
    let store: SQLiteMintStore

    static func with(
        settings: MintSettings = MintSettings(), fake: FakeLightningSettings = FakeLightningSettings(), fees: FeeReserveRule? = nil,
        maxBodySize: Int = 1 << 20, clock: MintClock = .system,
        _ body: @escaping @Sendable (APIHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        let store = try await SQLiteMintStore.open(path: ":memory:", logger: Logger(label: "test"))
        do {
            try await store.migrate()
            var fake = fake
            fake.incomingDelay = 0
            var settings = settings
            if let fees { settings.feeReserve = fees }
            let mint = try Mint(
                store: store, backend: FakeLightningBackend(settings: fake), master: ExtendedPrivateKey(seed: Array("api".utf8)),
                settings: settings, clock: clock, logger: Logger(label: "test"))
            try await mint.start()
            let router = makeMintRouter(
                mint: mint, configuration: MintServerConfiguration(maxBodySize: maxBodySize), metrics: true)
            let app = Application(router: router)
            try await app.test(.router) { client in try await body(APIHarness(mint: mint, store: store), client) }
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }
}

extension TestClientProtocol {
    /// Sends `body` (raw JSON text or an Encodable) and returns status and body bytes.
    func call(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil) async throws -> (status: HTTPResponse.Status, body: Data) {
        try await execute(uri: uri, method: method, headers: [.contentType: "application/json"], body: json.map { ByteBuffer(string: $0) }) { response in
            (response.status, Data(buffer: response.body))
        }
    }

    func call<T: Encodable>(_ method: HTTPRequest.Method, _ uri: String, _ value: T) async throws -> (status: HTTPResponse.Status, body: Data) {
        try await call(method, uri, json: String(decoding: try JSONEncoder().encode(value), as: UTF8.self))
    }

    /// Decodes a 200 response.
    func ok<T: Decodable>(_ type: T.Type, _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> T {
        let (status, body) = try await call(method, uri, json: json)
        #expect(status == .ok, "\(String(decoding: body, as: UTF8.self))", sourceLocation: sourceLocation)
        return try JSONDecoder().decode(T.self, from: body)
    }

    func ok<T: Decodable, B: Encodable>(_ type: T.Type, _ method: HTTPRequest.Method, _ uri: String, _ value: B, sourceLocation: SourceLocation = #_sourceLocation) async throws -> T {
        try await ok(type, method, uri, json: String(decoding: try JSONEncoder().encode(value), as: UTF8.self), sourceLocation: sourceLocation)
    }

    /// Expects a 400 NUT error with `code`.
    func fails(_ code: CashuError.Code, _ method: HTTPRequest.Method, _ uri: String, json: String?, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let (status, body) = try await call(method, uri, json: json)
        #expect(status == .badRequest, sourceLocation: sourceLocation)
        let error = try JSONDecoder().decode(CashuError.self, from: body)
        #expect(error.code == code, "expected \(code.rawValue), got \(error.code.rawValue): \(error.detail)", sourceLocation: sourceLocation)
        #expect(!error.detail.isEmpty, sourceLocation: sourceLocation)
    }

    func fails<B: Encodable>(_ code: CashuError.Code, _ method: HTTPRequest.Method, _ uri: String, _ value: B, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await fails(code, method, uri, json: String(decoding: try JSONEncoder().encode(value), as: UTF8.self), sourceLocation: sourceLocation)
    }
}
