import CashuCrypto
import Secp256k1

/// `POST /v1/mint/quote/bolt11` request (NUT-04, NUT-23; `pubkey` from NUT-20).
public struct MintQuoteBolt11Request: Codable, Hashable, Sendable {
    public var amount: Amount
    public var unit: CurrencyUnit
    public var description: String?
    /// NUT-20: the key whose signature the mint request must carry.
    public var pubkey: Point?

    public init(amount: Amount, unit: CurrencyUnit, description: String? = nil, pubkey: Point? = nil) {
        self.amount = amount
        self.unit = unit
        self.description = description
        self.pubkey = pubkey
    }
}

/// A bolt11 mint quote (`POST /v1/mint/quote/bolt11` and `GET /v1/mint/quote/bolt11/{quote_id}`).
public struct MintQuoteBolt11Response: Codable, Hashable, Sendable {
    /// The quote ID (secret: whoever knows it can mint once it is paid).
    public var quote: String
    /// The BOLT11 invoice to pay.
    public var request: String
    public var amount: Amount?
    public var unit: CurrencyUnit?
    /// The quote's state. When the mint sends `amount_paid` and `amount_issued` (NUT-04 as nutshell 0.21 and cdk
    /// answer), it is derived from them, which NUT-04 makes the canonical record (`state` being deprecated there).
    public var state: MintQuoteState
    /// Unix time after which the quote can no longer be paid.
    public var expiry: UInt64?
    public var pubkey: Point?
    /// The payment method (`bolt11`). Not in NUT-23's response, but nutshell's wallet requires it.
    public var method: String?
    /// What was paid to the mint for this quote and what was issued for it, in `unit`, and when either last
    /// changed (Unix seconds). Optional: older mints do not send them.
    public var amountPaid: Amount?
    public var amountIssued: Amount?
    public var updatedAt: UInt64?

    public init(
        quote: String, request: String, amount: Amount?, unit: CurrencyUnit?, state: MintQuoteState, expiry: UInt64?,
        pubkey: Point? = nil, method: String? = nil, amountPaid: Amount? = nil, amountIssued: Amount? = nil, updatedAt: UInt64? = nil
    ) {
        self.quote = quote
        self.request = request
        self.amount = amount
        self.unit = unit
        self.state = state
        self.expiry = expiry
        self.pubkey = pubkey
        self.method = method
        self.amountPaid = amountPaid
        self.amountIssued = amountIssued
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case quote, request, amount, unit, state, expiry, pubkey, method
        case amountPaid = "amount_paid", amountIssued = "amount_issued", updatedAt = "updated_at"
    }

    /// NUT-04's single-use states from the amounts: nothing paid is UNPAID, more paid than issued is PAID, all of
    /// a positive payment issued is ISSUED; nil for amounts that say none of these (issued beyond paid).
    public static func state(paid: Amount, issued: Amount) -> MintQuoteState? {
        if paid.rawValue == 0 && issued.rawValue == 0 { return .unpaid }
        if paid > issued { return .paid }
        if paid == issued { return .issued }
        return nil
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        quote = try c.decode(String.self, forKey: .quote)
        request = try c.decode(String.self, forKey: .request)
        amount = try c.decodeIfPresent(Amount.self, forKey: .amount)
        unit = try c.decodeIfPresent(CurrencyUnit.self, forKey: .unit)
        amountPaid = try c.decodeIfPresent(Amount.self, forKey: .amountPaid)
        amountIssued = try c.decodeIfPresent(Amount.self, forKey: .amountIssued)
        updatedAt = try c.decodeIfPresent(UInt64.self, forKey: .updatedAt)
        if let paid = amountPaid, let issued = amountIssued {
            guard let derived = Self.state(paid: paid, issued: issued) else {
                throw DecodingError.dataCorruptedError(forKey: .amountIssued, in: c, debugDescription: "amount_issued exceeds amount_paid")
            }
            state = derived
        } else {
            state = try c.decode(MintQuoteState.self, forKey: .state)
        }
        expiry = try c.decodeIfPresent(UInt64.self, forKey: .expiry)
        // nutshell answers a quote check with `"pubkey": ""` when the quote has no key: that is no key.
        if let text = try c.decodeIfPresent(String.self, forKey: .pubkey), !text.isEmpty {
            do { pubkey = try Point(hex: text) } catch {
                throw DecodingError.dataCorruptedError(forKey: .pubkey, in: c, debugDescription: "not a compressed secp256k1 point")
            }
        } else {
            pubkey = nil
        }
        method = try c.decodeIfPresent(String.self, forKey: .method)
    }
}

/// `POST /v1/mint/bolt11` request: the paid quote and the outputs to sign (NUT-04; `signature` from NUT-20).
public struct MintRequest: Codable, Hashable, Sendable {
    public var quote: String
    public var outputs: [BlindedMessage]
    /// NUT-20: BIP-340 signature over SHA-256(quote ‖ B_0 ‖ … ‖ B_n-1), hex.
    public var signature: String?

    public init(quote: String, outputs: [BlindedMessage], signature: String? = nil) {
        self.quote = quote
        self.outputs = outputs
        self.signature = signature
    }
}

/// `POST /v1/mint/bolt11` response.
public struct MintResponse: Codable, Hashable, Sendable {
    public var signatures: [BlindSignature]
    public init(signatures: [BlindSignature]) { self.signatures = signatures }
}
