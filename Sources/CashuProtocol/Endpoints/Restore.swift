/// `POST /v1/restore` request (NUT-09): outputs whose signatures the wallet wants back.
public struct RestoreRequest: Codable, Hashable, Sendable {
    public var outputs: [BlindedMessage]
    public init(outputs: [BlindedMessage]) { self.outputs = outputs }
}

/// `POST /v1/restore` response: the outputs the mint has signed and their signatures, index-aligned.
/// Older mints call `signatures` `promises`; both are read.
public struct RestoreResponse: Codable, Hashable, Sendable {
    public var outputs: [BlindedMessage]
    public var signatures: [BlindSignature]

    public init(outputs: [BlindedMessage], signatures: [BlindSignature]) {
        self.outputs = outputs
        self.signatures = signatures
    }

    enum CodingKeys: String, CodingKey { case outputs, signatures, promises }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        outputs = try c.decode([BlindedMessage].self, forKey: .outputs)
        signatures = try c.decodeIfPresent([BlindSignature].self, forKey: .signatures)
            ?? c.decode([BlindSignature].self, forKey: .promises)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(outputs, forKey: .outputs)
        try c.encode(signatures, forKey: .signatures)
    }
}
