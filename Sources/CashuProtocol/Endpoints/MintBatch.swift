import CashuCrypto

/// `POST /v1/mint/{method}/batch` request (NUT-29): several paid quotes of one unit minted at once, all or none.
public struct MintBatchRequest: Codable, Hashable, Sendable {
    /// Unique quote IDs.
    public var quotes: [String]
    /// The amount to mint per quote, in the order of `quotes` (optional for bolt11; when given, each must be the
    /// quote's amount).
    public var quoteAmounts: [Amount]?
    /// Outputs whose amounts sum to the quotes' total.
    public var outputs: [BlindedMessage]
    /// NUT-20: one entry per quote, `null` for a quote without a key; each signs `quote ‖ B_0 ‖ … ‖ B_n-1` over all
    /// outputs.
    public var signatures: [String?]?

    enum CodingKeys: String, CodingKey {
        case quotes, outputs, signatures
        case quoteAmounts = "quote_amounts"
    }

    public init(quotes: [String], quoteAmounts: [Amount]? = nil, outputs: [BlindedMessage], signatures: [String?]? = nil) {
        self.quotes = quotes
        self.quoteAmounts = quoteAmounts
        self.outputs = outputs
        self.signatures = signatures
    }

    /// Quote `index`'s part as a single NUT-20 mint request: its ID, every output, its signature.
    public func request(forQuote index: Int) -> MintRequest {
        MintRequest(quote: quotes[index], outputs: outputs, signature: signatures?[index] ?? nil)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(quotes, forKey: .quotes)
        try c.encodeIfPresent(quoteAmounts, forKey: .quoteAmounts)
        try c.encode(outputs, forKey: .outputs)
        // `null` entries are kept: they say which quotes carry no key.
        if let signatures {
            var list = c.nestedUnkeyedContainer(forKey: .signatures)
            for s in signatures {
                if let s { try list.encode(s) } else { try list.encodeNil() }
            }
        }
    }
}

/// `POST /v1/mint/quote/{method}/check` request (NUT-29): the states of several mint quotes, in order.
public struct MintQuoteCheckRequest: Codable, Hashable, Sendable {
    public var quotes: [String]
    public init(quotes: [String]) { self.quotes = quotes }
}
