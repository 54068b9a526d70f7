import CashuCrypto

/// `POST /v1/melt/quote/bolt11` request (NUT-05, NUT-23), with NUT-15 `mpp` and NUT-23 `amountless` options.
public struct MeltQuoteBolt11Request: Codable, Hashable, Sendable {
    /// The BOLT11 invoice to pay.
    public var request: String
    public var unit: CurrencyUnit
    public var options: Options?

    public init(request: String, unit: CurrencyUnit, options: Options? = nil) {
        self.request = request
        self.unit = unit
        self.options = options
    }

    /// Melt options.
    public struct Options: Codable, Hashable, Sendable {
        public var amountless: Amountless?
        public var mpp: MPP?

        public init(amountless: Amountless? = nil, mpp: MPP? = nil) {
            self.amountless = amountless
            self.mpp = mpp
        }

        /// The amount to pay an amountless invoice, in msat.
        public struct Amountless: Codable, Hashable, Sendable {
            public var amountMsat: UInt64
            public init(amountMsat: UInt64) { self.amountMsat = amountMsat }
            enum CodingKeys: String, CodingKey { case amountMsat = "amount_msat" }
        }

        /// NUT-15: the partial amount to pay, in msat.
        public struct MPP: Codable, Hashable, Sendable {
            public var amount: UInt64
            public init(amount: UInt64) { self.amount = amount }
        }
    }
}

/// A bolt11 melt quote (`POST /v1/melt/quote/bolt11`, `GET /v1/melt/quote/bolt11/{quote_id}`, and the
/// `POST /v1/melt/bolt11` response, which adds `change`).
public struct MeltQuoteBolt11Response: Codable, Hashable, Sendable {
    public var quote: String
    public var request: String?
    public var amount: Amount
    public var unit: CurrencyUnit?
    /// The most the Lightning fee may cost; inputs must cover amount + fee_reserve + input fees.
    public var feeReserve: Amount
    public var state: MeltQuoteState
    public var expiry: UInt64?
    public var paymentPreimage: String?
    /// NUT-08: signatures on the blank outputs for the overpaid fee.
    public var change: [BlindSignature]?
    /// The payment method (`bolt11`). Not in NUT-23's response, but nutshell's wallet requires it.
    public var method: String?

    public init(
        quote: String, request: String?, amount: Amount, unit: CurrencyUnit?, feeReserve: Amount, state: MeltQuoteState,
        expiry: UInt64?, paymentPreimage: String? = nil, change: [BlindSignature]? = nil, method: String? = nil
    ) {
        self.method = method
        self.quote = quote
        self.request = request
        self.amount = amount
        self.unit = unit
        self.feeReserve = feeReserve
        self.state = state
        self.expiry = expiry
        self.paymentPreimage = paymentPreimage
        self.change = change
    }

    enum CodingKeys: String, CodingKey {
        case quote, request, amount, unit, state, expiry, change, method
        case feeReserve = "fee_reserve"
        case paymentPreimage = "payment_preimage"
    }
}

/// `POST /v1/melt/bolt11` request: pay the quote's invoice with `inputs`; NUT-08 blank `outputs` for change;
/// `prefer_async` asks for an immediate PENDING answer.
public struct MeltRequest: Codable, Hashable, Sendable {
    public var quote: String
    public var inputs: [Proof]
    public var outputs: [BlindedMessage]?
    public var preferAsync: Bool?

    public init(quote: String, inputs: [Proof], outputs: [BlindedMessage]? = nil, preferAsync: Bool? = nil) {
        self.quote = quote
        self.inputs = inputs
        self.outputs = outputs
        self.preferAsync = preferAsync
    }

    enum CodingKeys: String, CodingKey {
        case quote, inputs, outputs
        case preferAsync = "prefer_async"
    }

    /// NUT-08: the number of blank outputs that can carry any change up to `feeReserve`:
    /// `max(ceil(log2(fee_reserve)), 1)`, or 0 when there is no reserve.
    public static func blankOutputCount(feeReserve: Amount) -> Int {
        let reserve = feeReserve.rawValue
        if reserve == 0 { return 0 }
        // ceil(log2(x)) for x >= 1 is the bit length of x - 1.
        let ceilLog2 = reserve == 1 ? 0 : 64 - (reserve - 1).leadingZeroBitCount
        return max(ceilLog2, 1)
    }
}
