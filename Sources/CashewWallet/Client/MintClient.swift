import AsyncHTTPClient
import CashuCrypto
import CashuProtocol
import Foundation
import NIOCore
import NIOHTTP1

/// A client for a mint's Cashu v1 API (any Cashu mint, not only Cashew's).
///
/// Requests that change nothing at the mint (reads, NUT-07 checkstate, NUT-09 restore) are retried on transport
/// failures and 5xx answers. Requests that change state (quotes, mint, swap, melt) are sent once, because a repeat
/// of a request that did arrive could not be told apart from a first attempt, except where the mint caches their
/// answers (NUT-19): after a lost answer, a mint, swap or melt is replayed byte for byte when `/v1/info` lists its
/// path in `cached_endpoints`, and the mint answers the replay with the original answer. When that fails too, the
/// wallet recovers the unknown outcome with checkstate and restore.
public struct MintClient: Sendable {
    /// The mint's base URL, without a trailing slash.
    public let url: String
    let http: HTTPClient
    /// Time allowed for one request.
    public var timeout: TimeAmount
    /// Attempts for safe requests (1 = no retry).
    public var attempts: Int

    public init(url: String, httpClient: HTTPClient = .shared, timeout: TimeAmount = .seconds(30), attempts: Int = 3) {
        var base = url.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        self.url = base
        self.http = httpClient
        self.timeout = timeout
        self.attempts = max(1, attempts)
    }

    // MARK: Reads (retried)

    /// `GET /v1/info` (NUT-06).
    public func info() async throws -> MintInfo { try await get("/v1/info") }
    /// `GET /v1/keys` (NUT-01): the active keysets' keys.
    public func keys() async throws -> KeysResponse { try await get("/v1/keys") }
    /// `GET /v1/keys/{id}`: one keyset's keys, active or not.
    public func keys(_ id: KeysetID) async throws -> KeysResponse { try await get("/v1/keys/\(id.hex)") }
    /// `GET /v1/keysets` (NUT-02).
    public func keysets() async throws -> KeysetsResponse { try await get("/v1/keysets") }
    /// `GET /v1/mint/quote/bolt11/{id}` (NUT-04).
    public func mintQuote(id: String) async throws -> MintQuoteBolt11Response { try await get("/v1/mint/quote/bolt11/\(Self.escape(id))") }
    /// `GET /v1/melt/quote/bolt11/{id}` (NUT-05).
    public func meltQuote(id: String) async throws -> MeltQuoteBolt11Response { try await get("/v1/melt/quote/bolt11/\(Self.escape(id))") }
    /// `POST /v1/checkstate` (NUT-07): changes nothing, so it is retried.
    public func checkState(_ request: CheckStateRequest) async throws -> CheckStateResponse {
        try await send(.POST, "/v1/checkstate", body: request, retry: .always)
    }
    /// `POST /v1/mint/quote/bolt11/check` (NUT-29): several quotes' states in order; changes nothing, so it is retried.
    public func checkMintQuotes(_ request: MintQuoteCheckRequest) async throws -> [MintQuoteBolt11Response] {
        try await send(.POST, "/v1/mint/quote/bolt11/check", body: request, retry: .always)
    }
    /// `POST /v1/restore` (NUT-09): changes nothing, so it is retried.
    public func restore(_ request: RestoreRequest) async throws -> RestoreResponse {
        try await send(.POST, "/v1/restore", body: request, retry: .always)
    }

    // MARK: State changes (sent once)

    /// `POST /v1/mint/quote/bolt11`.
    public func createMintQuote(_ request: MintQuoteBolt11Request) async throws -> MintQuoteBolt11Response {
        try await send(.POST, "/v1/mint/quote/bolt11", body: request, retry: .never)
    }
    /// `POST /v1/mint/bolt11`.
    public func mint(_ request: MintRequest) async throws -> MintResponse { try await send(.POST, "/v1/mint/bolt11", body: request, retry: .cached) }
    /// `POST /v1/mint/bolt11/batch` (NUT-29).
    public func mintBatch(_ request: MintBatchRequest) async throws -> MintResponse {
        try await send(.POST, "/v1/mint/bolt11/batch", body: request, retry: .cached)
    }
    /// `POST /v1/swap` (NUT-03).
    public func swap(_ request: SwapRequest) async throws -> SwapResponse { try await send(.POST, "/v1/swap", body: request, retry: .cached) }
    /// `POST /v1/melt/quote/bolt11`.
    public func createMeltQuote(_ request: MeltQuoteBolt11Request) async throws -> MeltQuoteBolt11Response {
        try await send(.POST, "/v1/melt/quote/bolt11", body: request, retry: .never)
    }
    /// `POST /v1/melt/bolt11`.
    public func melt(_ request: MeltRequest) async throws -> MeltQuoteBolt11Response {
        try await send(.POST, "/v1/melt/bolt11", body: request, retry: .cached)
    }

    // MARK: Proof of liabilities (Specs/audit.md)

    /// A keyset's liabilities manifest in `epoch` (the newest when nil); nil when the mint answers 404 (no such
    /// epoch, or the keyset is not in it, or the mint publishes none).
    public func liabilityManifest(keyset: String, epoch: UInt64? = nil) async throws -> LiabilityManifest? {
        do {
            return try await get("/v1/pol/\(Self.escape(keyset))/manifest" + (epoch.map { "?epoch_index=\($0)" } ?? ""))
        } catch let error as MintClientError {
            switch error.kind {
            case .mint(_, status: 404), .http(status: 404, _): return nil
            default: throw error
            }
        }
    }

    /// Inclusion proofs of `items` in a keyset's `tree` ("issued": blinded messages; "spent": Ys) at `epoch`.
    public func liabilityProofs(keyset: String, tree: String, items: [String], epoch: UInt64?) async throws -> LiabilityProofsResponse {
        let body = tree == "issued" ? LiabilityProofsRequest(blindedMessages: items) : LiabilityProofsRequest(ys: items)
        return try await send(
            .POST, "/v1/pol/\(Self.escape(keyset))/proofs/\(tree)" + (epoch.map { "?epoch_index=\($0)" } ?? ""), body: body, retry: .always)
    }

    // MARK: Transport

    func get<T: Decodable>(_ path: String) async throws -> T {
        try await send(.GET, path, body: Optional<Empty>.none, retry: .always)
    }

    struct Empty: Encodable {}

    /// When a request is sent again after a transport failure or a 5xx answer.
    enum Retry {
        /// Never: it changes state.
        case never
        /// Always: it changes nothing.
        case always
        /// When the mint caches its answers (NUT-19): the identical bytes get the original answer.
        case cached
    }

    /// Whether the mint's `/v1/info` lists `POST path` among its NUT-19 cached endpoints.
    public func cachesResponses(path: String) async -> Bool {
        guard let info = try? await info(), let endpoints = info.nuts?["19"]?["cached_endpoints"]?.arrayValue else { return false }
        return endpoints.contains { $0["method"]?.stringValue?.uppercased() == "POST" && $0["path"]?.stringValue == path }
    }

    func send<T: Decodable, B: Encodable>(_ method: HTTPMethod, _ path: String, body: B?, retry: Retry) async throws -> T {
        let name = "\(method.rawValue) \(path)"
        var request = HTTPClientRequest(url: url + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            do {
                request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
            } catch {
                throw MintClientError(.invalidResponse("request could not be encoded: \(error)"), request: name)
            }
        }
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await once(request, name: name)
            } catch let error as MintClientError {
                let transient: Bool
                switch error.kind {
                case .transport: transient = true
                case let .mint(_, status), let .http(status, _): transient = status >= 500
                case .invalidResponse: transient = false
                }
                guard transient, attempt < attempts else { throw error }
                switch retry {
                case .never: throw error
                case .always: break
                case .cached: if !(await cachesResponses(path: path)) { throw error }
                }
                // 0.2 s, 0.6 s, …: a restarting mint or a brief outage passes; a dead one fails soon.
                try await Task.sleep(for: .milliseconds(200 * Int(pow(3.0, Double(attempt - 1)))))
            }
        }
    }

    func once<T: Decodable>(_ request: HTTPClientRequest, name: String) async throws -> T {
        let status: Int
        let bytes: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: timeout)
            status = Int(response.status.code)
            bytes = try await response.body.collect(upTo: 16 << 20)
        } catch {
            throw MintClientError(.transport(Self.describe(error)), request: name)
        }
        let data = Data(bytes.readableBytesView)
        guard status == 200 else {
            if let error = try? JSONDecoder().decode(CashuError.self, from: data) {
                throw MintClientError(.mint(error, status: status), request: name)
            }
            throw MintClientError(.http(status: status, body: String(decoding: data.prefix(200), as: UTF8.self)), request: name)
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw MintClientError(.invalidResponse("\(error)".prefix(300).description), request: name)
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError {
            if e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout { return "the mint did not answer in time" }
            if e == .remoteConnectionClosed { return "the mint closed the connection" }
        }
        return "cannot reach the mint (\(error))"
    }

    static func escape(_ component: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove("/")
        return component.addingPercentEncoding(withAllowedCharacters: allowed) ?? component
    }
}
