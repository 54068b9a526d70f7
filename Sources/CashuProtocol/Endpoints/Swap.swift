/// `POST /v1/swap` request (NUT-03): spend `inputs`, sign `outputs`.
public struct SwapRequest: Codable, Hashable, Sendable {
    public var inputs: [Proof]
    public var outputs: [BlindedMessage]

    public init(inputs: [Proof], outputs: [BlindedMessage]) {
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// `POST /v1/swap` response: one signature per output, in order.
public struct SwapResponse: Codable, Hashable, Sendable {
    public var signatures: [BlindSignature]
    public init(signatures: [BlindSignature]) { self.signatures = signatures }
}
