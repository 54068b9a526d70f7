import CashuCrypto
import CashuProtocol

extension Mint {
    /// `POST /v1/swap` (NUT-03): verifies the inputs and their spending conditions, checks
    /// `inputs − fee == outputs`, signs the outputs, and records all of it in one ledger transaction.
    public func swap(_ request: SwapRequest) async throws -> SwapResponse {
        let swap = try await signedSwap(request)
        try await ledger { try await store.swap(inputs: swap.inputs, outputs: swap.outputs, operation: swap.operation) }
        return swap.response
    }

    /// `POST /v1/swap` with NUT-19: the answer (`encode`d, byte for byte what the client gets) is written in the
    /// swap's own ledger transaction, so a swap costs no extra statement and an answer exists exactly when its swap
    /// committed. A replay of the same bytes then fails on the ledger (spent inputs, signed outputs) and gets that answer.
    /// Identical requests racing each other are decided the same way: one commits, the others find its answer.
    public func swap(_ request: SwapRequest, requestBytes body: [UInt8], encode: (SwapResponse) throws -> [UInt8]) async throws -> [UInt8] {
        let ttl = settings.responseCacheTTL
        guard ttl > 0, let cache = store as? any ResponseCache else { return try encode(try await swap(request)) }
        let key = Self.responseKey(.swap, body: body)
        do {
            let swap = try await signedSwap(request)
            let now = clock.now()
            let answer = CachedAnswer(
                key: key, endpoint: CachedEndpoint.swap.rawValue, response: try encode(swap.response), createdAt: now, expiresAt: expiry(ttl, from: now))
            try await ledger { try await cache.swap(inputs: swap.inputs, outputs: swap.outputs, operation: swap.operation, answer: answer) }
            MintMetrics.cachedResponse(.swap, "stored")
            return answer.response
        } catch let error as CashuError where error.code == .proofsAlreadySpent || error.code == .outputsAlreadySigned {
            let now = clock.now()
            guard let cached = try await ledger({ try await cache.cachedResponse(key: key, now: now) }) else { throw error }
            MintMetrics.cachedResponse(.swap, "replayed")
            return cached
        }
    }

    /// A verified, signed swap, ready to be written.
    struct SignedSwap {
        var inputs: [ProofRecord]
        var outputs: [SignatureRecord]
        var operation: OperationRecord
        var response: SwapResponse
    }

    func signedSwap(_ request: SwapRequest) async throws -> SignedSwap {
        try checkCounts(inputs: request.inputs.count, outputs: request.outputs.count)
        guard !request.outputs.isEmpty else { throw CashuError(.transactionError, "no outputs provided.") }
        let inputs = try verifyInputs(request.inputs)
        let outputs = try verifyOutputs(request.outputs, unit: inputs.unit)
        guard inputs.total.subtracting(inputs.fee) == outputs.total else {
            throw CashuError(.transactionUnbalanced, "inputs (\(inputs.total)) - fees (\(inputs.fee)) vs outputs (\(outputs.total)) are not balanced.")
        }
        try SpendingConditionVerifier.verify(inputs: request.inputs, outputs: request.outputs, now: clock.time())
        let (signatures, records) = try await signConcurrently(request.outputs)
        let operation = OperationRecord(
            id: QuoteID.make(now: clock.now()), kind: .swap, quoteID: nil, unit: inputs.unit, fee: inputs.fee, createdAt: clock.now())
        return SignedSwap(inputs: inputs.records, outputs: records, operation: operation, response: SwapResponse(signatures: signatures))
    }
}
