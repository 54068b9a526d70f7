import CashewEncoding
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

    /// `POST /v1/swap` with NUT-19: a swap's answer is not stored (that cost two ledger statements per swap, half
    /// the throughput). A replay, whose inputs are spent and outputs signed, fails on the ledger; when one swap
    /// recorded within the TTL both spent all its inputs and signed all its outputs, the answer is rebuilt from that
    /// swap's signatures in the request's output order: the same bytes as the original answer (the encoding is
    /// deterministic). Identical requests racing each other are decided the same way: one commits, the others get
    /// its answer. Nothing is lost to a crash: the answer is the ledger's own record.
    public func swap(_ request: SwapRequest, encode: (SwapResponse) throws -> [UInt8]) async throws -> [UInt8] {
        try await answeredFromLedger(
            .swap, replayable: [.proofsAlreadySpent, .outputsAlreadySigned], encode: encode, process: { try await swap(request) },
            replay: { cache, ttl in try await replayedSwap(request, cache: cache, ttl: ttl) })
    }

    /// The answer of the committed swap that `request` repeats, if it was recorded within `ttl`.
    func replayedSwap(_ request: SwapRequest, cache: any ResponseCache, ttl: UInt64) async throws -> SwapResponse? {
        let ys = try request.inputs.map { try $0.y.hex }
        let bs = request.outputs.map(\.blindedSecret.hex)
        guard let swap = try await ledger({ try await cache.answeringOperation(inputs: ys, outputs: bs) }), swap.kind == .swap,
              swap.createdAt &+ ttl > clock.now()
        else { return nil }
        return SwapResponse(signatures: try await signatures(of: bs))
    }

    /// The ledger's signatures of `bs`, in that order (to rebuild an answer).
    func signatures(of bs: [String]) async throws -> [BlindSignature] {
        let signed = try await ledger { try await store.signatures(blindedMessages: bs) }
        return try bs.map { b -> BlindSignature in
            guard let record = signed[b] else { throw CashuError(.outputsAlreadySigned) }
            return try record.blindSignature
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
