import CashuCrypto
import CashuProtocol

extension Mint {
    /// `POST /v1/swap` (NUT-03): verifies the inputs and their spending conditions, checks
    /// `inputs − fee == outputs`, signs the outputs, and records all of it in one ledger transaction.
    public func swap(_ request: SwapRequest) async throws -> SwapResponse {
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
        try await ledger { try await store.swap(inputs: inputs.records, outputs: records, operation: operation) }
        return SwapResponse(signatures: signatures)
    }
}
