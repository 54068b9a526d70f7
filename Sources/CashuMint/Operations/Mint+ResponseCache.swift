import CashewEncoding
import CashuProtocol
import Crypto

/// A state-changing endpoint whose successful answers are cached (NUT-19).
public enum CachedEndpoint: String, Sendable, CaseIterable {
    case swap = "/v1/swap"
    case mint = "/v1/mint/bolt11"
    case mintBatch = "/v1/mint/bolt11/batch"
    case melt = "/v1/melt/bolt11"
}

extension Mint {
    /// A pending entry older than this is taken to be a dead process's: a replay may then process the request.
    /// (A live request never takes this long: melts return PENDING long before.)
    public static let responseClaimLease: UInt64 = 600
    /// How long a replay waits for the same request in flight before it answers "pending".
    static let responseBusyWait: Duration = .seconds(30)

    /// Whether NUT-19 is on: a TTL and a ledger that keeps the cache.
    public var cachesResponses: Bool { settings.responseCacheTTL > 0 && store is any ResponseCache }

    /// NUT-19: answers `body` on `endpoint` from the ledger's cache when the same request was answered within the
    /// TTL; otherwise runs `respond` (the request's normal processing, giving the encoded 200 answer) once, caches
    /// its answer and returns it. An identical request in flight is waited for, not processed twice. Errors are not
    /// cached: the entry is released and the error passes through.
    public func cachedResponse(_ endpoint: CachedEndpoint, body: [UInt8], respond: () async throws -> [UInt8]) async throws -> [UInt8] {
        let ttl = settings.responseCacheTTL
        guard ttl > 0, let cache = store as? any ResponseCache else { return try await respond() }
        let key = Self.responseKey(endpoint, body: body)
        let owner = Hex.encode((0..<16).map { _ in UInt8.random(in: .min ... .max) })
        let clock = ContinuousClock()
        let deadline = clock.now + Self.responseBusyWait
        while true {
            let now = self.clock.now()
            let claim = try await ledger {
                try await cache.claimResponse(key: key, endpoint: endpoint.rawValue, owner: owner, now: now, staleBefore: now &- min(now, Self.responseClaimLease))
            }
            switch claim {
            case let .cached(bytes):
                MintMetrics.cachedResponse(endpoint, "replayed")
                return bytes
            case .busy:
                guard clock.now < deadline else {
                    throw CashuError(.proofsPending, "the same request is still being processed: replay it later")
                }
                try await Task.sleep(for: .milliseconds(100))
                continue
            case .claimed:
                let answer: [UInt8]
                do {
                    answer = try await respond()
                } catch {
                    do {
                        try await cache.releaseResponse(key: key, owner: owner)
                    } catch {
                        // The entry stays pending until the lease runs out; the request's own error matters more.
                        logger.warning("a cached-response entry could not be released", metadata: ["error": "\(error)"])
                    }
                    throw error
                }
                do {
                    let done = self.clock.now()
                    try await cache.completeResponse(
                        key: key, endpoint: endpoint.rawValue, owner: owner, response: answer, now: done, expiresAt: expiry(ttl, from: done))
                    MintMetrics.cachedResponse(endpoint, "stored")
                } catch {
                    // The operation is done and its answer is good: losing the cache entry only loses the replay.
                    logger.error("an answer could not be cached for replay", metadata: ["endpoint": "\(endpoint.rawValue)", "error": "\(error)"])
                }
                return answer
            }
        }
    }

    /// The cache key of a request: SHA-256 of `POST <path>\n` and the body's bytes.
    static func responseKey(_ endpoint: CachedEndpoint, body: [UInt8]) -> String {
        var hash = SHA256()
        hash.update(data: Array("POST \(endpoint.rawValue)\n".utf8))
        hash.update(data: body)
        return Hex.encode(Array(hash.finalize()))
    }

    /// Deletes expired cached answers and abandoned claims (run by the ledger maintenance service).
    @discardableResult
    public func sweepCachedResponses() async throws -> Int {
        guard let cache = store as? any ResponseCache else { return 0 }
        let now = clock.now()
        return try await ledger { try await cache.sweepResponses(now: now, staleBefore: now &- min(now, Self.responseClaimLease)) }
    }
}

extension Mint {
    /// `POST /v1/mint/bolt11` with NUT-19. As for swaps, nothing is stored: a replay fails on the ledger (the quote
    /// is issued, the outputs signed) and, when the mint operation of this very quote signed all its outputs within
    /// the TTL, gets the answer rebuilt from those signatures: the original bytes. There is no window in which an
    /// issued quote has no answer, and no claim costs the mint path a statement.
    public func mint(_ request: MintRequest, encode: (MintResponse) throws -> [UInt8]) async throws -> [UInt8] {
        try await answeredFromLedger(.mint, quoteID: request.quote, outputs: request.outputs, encode: encode) { try await mint(request) }
    }

    /// `POST /v1/mint/bolt11/batch` with NUT-19, as `mint(_:encode:)`: the batch's operation lists its quotes.
    public func mintBatch(_ request: MintBatchRequest, encode: (MintResponse) throws -> [UInt8]) async throws -> [UInt8] {
        try await answeredFromLedger(.mintBatch, quoteID: request.quotes.joined(separator: ","), outputs: request.outputs, encode: encode) {
            try await mintBatch(request)
        }
    }

    private func answeredFromLedger(
        _ endpoint: CachedEndpoint, quoteID: String, outputs: [BlindedMessage], encode: (MintResponse) throws -> [UInt8],
        _ process: () async throws -> MintResponse
    ) async throws -> [UInt8] {
        try await answeredFromLedger(endpoint, replayable: [.quoteAlreadyIssued, .outputsAlreadySigned], encode: encode, process: process) { cache, ttl in
            let bs = outputs.map(\.blindedSecret.hex)
            guard let op = try await ledger({ try await cache.answeringOperation(inputs: [], outputs: bs) }), op.kind == .mint, op.quoteID == quoteID,
                  op.createdAt &+ ttl > clock.now()
            else { return nil }
            return MintResponse(signatures: try await signatures(of: bs))
        }
    }

    /// NUT-19 answered from the ledger rather than a stored answer: runs `process`; when it fails with one of the
    /// `replayable` codes (the request's effects are already in the ledger), `replay` rebuilds the answer of the
    /// operation it repeats, if that was recorded within the TTL; otherwise the error stands.
    func answeredFromLedger<Response>(
        _ endpoint: CachedEndpoint, replayable: [CashuError.Code], encode: (Response) throws -> [UInt8], process: () async throws -> Response,
        replay: (any ResponseCache, UInt64) async throws -> Response?
    ) async throws -> [UInt8] {
        let ttl = settings.responseCacheTTL
        guard ttl > 0, let cache = store as? any ResponseCache else { return try encode(try await process()) }
        do {
            return try encode(try await process())
        } catch let error as CashuError where replayable.contains(error.code) {
            guard let answer = try await replay(cache, ttl) else { throw error }
            MintMetrics.cachedResponse(endpoint, "replayed")
            return try encode(answer)
        }
    }
}
