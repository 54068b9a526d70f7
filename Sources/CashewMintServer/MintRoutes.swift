import CashuCrypto
import CashuMint
import CashuProtocol
import Hummingbird
import Logging

/// The Cashu v1 API (NUT-01 to NUT-09, NUT-12, NUT-23) on a Hummingbird router.
public struct MintRoutes: Sendable {
    let mint: Mint
    let io: JSONIO
    let version: String

    /// Routes for `mint`; bodies larger than `maxBodySize` bytes are refused.
    public init(mint: Mint, maxBodySize: Int = 1 << 20, version: String) {
        self.mint = mint
        self.io = JSONIO(maxBodySize: maxBodySize)
        self.version = version
    }

    /// Adds the routes to `router`.
    public func add(to router: Router<MintRequestContext>) {
        let v1 = router.group("v1")
        v1.get("info") { _, _ in try io.encode(mint.info(version: version)) }
        v1.get("keys") { _, _ in try io.encode(mint.keys()) }
        v1.get("keys/:id") { _, context in
            let text = try context.parameters.require("id")
            guard let id = try? KeysetID(hex: text) else { throw APIError(CashuError(.keysetUnknown, "not a keyset ID")) }
            return try io.encode(try await cashu { try mint.keys(id: id) })
        }
        v1.get("keysets") { _, _ in try io.encode(mint.keysetList()) }
        // NUT-19 (Specs/ledger.md, "Cached responses"): swap and mint answers are rebuilt from the ledger for a replay,
        // melt answers kept in its cache.
        v1.post("swap") { request, _ in
            let body = try io.decode(SwapRequest.self, from: try await io.body(request))
            return io.response(try await cashu { try await mint.swap(body) { try io.bytes($0) } })
        }
        v1.post("mint/quote/:method") { request, context in
            try method(context)
            // NUT-20: a `pubkey` that is not a compressed point is error 20009 ("none given or invalid pubkey").
            let body = try await io.decode(MintQuoteBolt11Request.self, from: request, fieldCodes: ["pubkey": .pubkeyRequired])
            return try io.encode(try await cashu { try await mint.createMintQuote(body) })
        }
        v1.get("mint/quote/:method/:quote") { _, context in
            try method(context)
            let id = try context.parameters.require("quote")
            return try io.encode(try await cashu { try await mint.mintQuote(id: id) })
        }
        v1.post("mint/:method") { request, context in
            try method(context)
            let body = try io.decode(MintRequest.self, from: try await io.body(request))
            return io.response(try await cashu { try await mint.mint(body) { try io.bytes($0) } })
        }
        // NUT-29: batch check and batch mint.
        v1.post("mint/quote/:method/check") { request, context in
            try method(context)
            let body = try await io.decode(MintQuoteCheckRequest.self, from: request)
            return try io.encode(try await cashu { try await mint.checkMintQuotes(body) })
        }
        v1.post("mint/:method/batch") { request, context in
            try method(context)
            let body = try io.decode(MintBatchRequest.self, from: try await io.body(request))
            return io.response(try await cashu { try await mint.mintBatch(body) { try io.bytes($0) } })
        }
        v1.post("melt/quote/:method") { request, context in
            try method(context)
            let body = try await io.decode(MeltQuoteBolt11Request.self, from: request)
            return try io.encode(try await cashu { try await mint.createMeltQuote(body) })
        }
        v1.get("melt/quote/:method/:quote") { _, context in
            try method(context)
            let id = try context.parameters.require("quote")
            return try io.encode(try await cashu { try await mint.meltQuote(id: id) })
        }
        v1.post("melt/:method") { request, context in
            try method(context)
            let raw = try await io.body(request)
            let body = try io.decode(MeltRequest.self, from: raw)
            return io.response(try await cashu { try await mint.cachedResponse(.melt, body: Array(raw.readableBytesView)) { try io.bytes(try await mint.melt(body)) } })
        }
        v1.post("checkstate") { request, _ in
            let body = try await io.decode(CheckStateRequest.self, from: request)
            return try io.encode(try await cashu { try await mint.checkState(body) })
        }
        // Cashew's tamper-evident history (Specs/audit.md, "Epochs"): closed epochs from `from` (default 1), at most
        // `limit` (default and maximum 1000).
        v1.get("epochs") { request, _ in
            let from = try Self.query(request, "from", default: 1)
            let limit = try Self.query(request, "limit", default: 1000)
            guard from >= 1, (1...1000).contains(limit) else { throw APIError(CashuError(.notAllowed, "from must be at least 1 and limit 1 to 1000")) }
            return try io.encode(EpochsResponse(epochs: try await cashu { try await mint.epochs(from: from, limit: Int(limit)) }))
        }
        // Proof of liabilities (Specs/audit.md; the draft of cashubtc/nuts PR #388).
        v1.get("pol/:keyset/manifest") { request, context in
            let keyset = try context.parameters.require("keyset")
            let epoch = try Self.optionalQuery(request, "epoch_index")
            return try io.encode(try await liability { try await mint.liabilityManifest(keyset: keyset, epoch: epoch) })
        }
        v1.post("pol/:keyset/proofs/:tree") { request, context in
            let keyset = try context.parameters.require("keyset")
            guard let tree = LiabilityTree(rawValue: try context.parameters.require("tree")) else {
                throw APIError(CashuError(.notAllowed, "no such tree: issued or spent"), status: .notFound)
            }
            let epoch = try Self.optionalQuery(request, "epoch_index")
            let body = try await io.decode(LiabilityProofsRequest.self, from: request)
            guard let items = tree == .issued ? body.blindedMessages : body.ys else {
                throw APIError(CashuError(.notAllowed, tree == .issued ? "blinded_messages is required" : "ys is required"))
            }
            return try io.encode(try await liability { try await mint.liabilityProofs(keyset: keyset, tree: tree, items: items, epoch: epoch) })
        }
        v1.post("restore") { request, _ in
            let body = try await io.decode(RestoreRequest.self, from: request)
            return try io.encode(try await cashu { try await mint.restore(body) })
        }
    }

    /// An optional unsigned integer query parameter.
    static func optionalQuery(_ request: Request, _ name: String) throws -> UInt64? {
        guard request.uri.queryParameters.get(name) != nil else { return nil }
        return try query(request, name, default: 0)
    }

    /// `cashu`, with a missing liabilities epoch or keyset as 404.
    func liability<T>(_ body: () async throws -> T) async throws -> T {
        try await cashu {
            do {
                return try await body()
            } catch let error as LiabilityNotFoundError {
                throw APIError(error.error, status: .notFound)
            }
        }
    }

    /// An unsigned integer query parameter.
    static func query(_ request: Request, _ name: String, default value: UInt64) throws -> UInt64 {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let v = UInt64(text) else { throw APIError(CashuError(.notAllowed, "\(name) must be an unsigned integer")) }
        return v
    }

    /// Only the bolt11 method exists (NUT-23).
    func method(_ context: MintRequestContext) throws {
        let method = try context.parameters.require("method")
        guard method == "bolt11" else { throw APIError(CashuError(.unitNotSupported, "payment method \(method.prefix(32)) is not supported")) }
    }

    /// Runs a mint operation, turning its `CashuError` into a 400 response, an unreachable ledger into a 503 and anything
    /// else into a logged 500.
    func cashu<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as CashuError {
            throw APIError(error)
        } catch let error as MintUnavailableError {
            throw APIError(error.error, status: .serviceUnavailable)
        } catch let error as APIError {
            throw error
        } catch {
            mint.logger.error("request failed", metadata: ["error": "\(error)"])
            throw APIError(CashuError(Code(rawValue: 0), "internal error"), status: .internalServerError)
        }
    }

    typealias Code = CashuError.Code
}
