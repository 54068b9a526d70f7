import CashuCrypto
import CashuProtocol
import Secp256k1

/// A keyset as the ledger stores it: derivation data and public keys, never a private key.
public struct KeysetRecord: Sendable, Hashable {
    public var id: KeysetID
    public var unit: CurrencyUnit
    /// Whether the keyset signs new outputs. At most one keyset per unit is active.
    public var active: Bool
    public var inputFeePPK: UInt64
    /// Unix time after which the keyset's proofs are no longer redeemable (NUT-02), if any.
    public var finalExpiry: UInt64?
    /// BIP-32 path of the keyset node below the mint's master key.
    public var derivationPath: DerivationPath
    /// The keyset's index within its unit (the last step of the path).
    public var derivationIndex: UInt32
    /// Denominations, ascending; the i-th is derived at `derivationPath/i'`.
    public var amounts: [Amount]
    public var idVersion: KeysetID.Version
    /// Unix time the keyset was created.
    public var validFrom: UInt64
    /// The public keys, aligned with `amounts` (public data: an auditor without the seed checks signatures against
    /// them). Nil for a keyset recorded before they were kept, until the mint's next start fills them in.
    public var publicKeys: [Point]?
    /// When the keyset stopped signing new outputs (nil while active, or unknown).
    public var deactivatedAt: UInt64?

    public init(
        id: KeysetID, unit: CurrencyUnit, active: Bool, inputFeePPK: UInt64, finalExpiry: UInt64?,
        derivationPath: DerivationPath, derivationIndex: UInt32, amounts: [Amount], idVersion: KeysetID.Version, validFrom: UInt64,
        publicKeys: [Point]? = nil, deactivatedAt: UInt64? = nil
    ) {
        self.publicKeys = publicKeys
        self.deactivatedAt = deactivatedAt
        self.id = id
        self.unit = unit
        self.active = active
        self.inputFeePPK = inputFeePPK
        self.finalExpiry = finalExpiry
        self.derivationPath = derivationPath
        self.derivationIndex = derivationIndex
        self.amounts = amounts
        self.idVersion = idVersion
        self.validFrom = validFrom
    }
}

extension KeysetRecord {
    /// The `public_keys` column: compressed hex keys, comma-separated, in the order of `amounts`.
    public var publicKeysText: String? { publicKeys.map { $0.map(\.hex).joined(separator: ",") } }

    /// Reads a `public_keys` column leniently, so that a damaged row reaches the auditor instead of stopping the
    /// mint: nil when absent, and an empty list when any key does not parse.
    public static func publicKeys(parsing text: String?) -> [Point]? {
        guard let text else { return nil }
        var keys = [Point]()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let key = try? Point(hex: String(part)) else { return [] }
            keys.append(key)
        }
        return keys
    }
}

/// What kind of ledger operation spent proofs or issued signatures.
public enum OperationKind: String, Sendable, Hashable, CaseIterable {
    case mint
    case swap
    case melt
}

/// One ledger operation, the unit of audit: which quote, which unit, what fee the mint kept.
public struct OperationRecord: Sendable, Hashable {
    public var id: String
    public var kind: OperationKind
    public var quoteID: String?
    public var unit: CurrencyUnit
    /// Input fees (NUT-02) kept by the mint; for melts, plus nothing else (Lightning fees go to the network).
    public var fee: Amount
    public var createdAt: UInt64

    public init(id: String, kind: OperationKind, quoteID: String?, unit: CurrencyUnit, fee: Amount, createdAt: UInt64) {
        self.id = id
        self.kind = kind
        self.quoteID = quoteID
        self.unit = unit
        self.fee = fee
        self.createdAt = createdAt
    }

    /// The quote IDs a `quote_id` lists: one, or a NUT-29 batch's, joined by commas.
    public static func batchQuotes(_ quoteID: String) -> [String] {
        quoteID.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
}

/// A redeemed (or melt-pending) proof, keyed by `Y`.
public struct ProofRecord: Sendable, Hashable {
    /// Hex of `Y = hash_to_curve(secret)`: the nullifier.
    public var y: String
    public var amount: Amount
    public var keysetID: KeysetID
    public var secret: String
    /// Hex of `C`.
    public var signature: String
    public var witness: String?
    /// The input's index in its swap or melt request (the NUT-11 SIG_ALL message is in request order); nil when
    /// unknown (rows recorded before it was kept, or imported).
    public var position: Int?

    public init(y: String, amount: Amount, keysetID: KeysetID, secret: String, signature: String, witness: String?, position: Int? = nil) {
        self.position = position
        self.y = y
        self.amount = amount
        self.keysetID = keysetID
        self.secret = secret
        self.signature = signature
        self.witness = witness
    }
}

/// An issued blind signature, keyed by `B_` (NUT-09 restores from it).
public struct SignatureRecord: Sendable, Hashable {
    /// Hex of `B_`.
    public var blindedMessage: String
    public var amount: Amount
    public var keysetID: KeysetID
    /// Hex of `C_`.
    public var signature: String
    /// DLEQ `e` and `s`, hex.
    public var dleqE: String
    public var dleqS: String
    /// The output's index in its request (nil when unknown).
    public var position: Int?

    public init(blindedMessage: String, amount: Amount, keysetID: KeysetID, signature: String, dleqE: String, dleqS: String, position: Int? = nil) {
        self.position = position
        self.blindedMessage = blindedMessage
        self.amount = amount
        self.keysetID = keysetID
        self.signature = signature
        self.dleqE = dleqE
        self.dleqS = dleqS
    }

    /// The wire form.
    public var blindSignature: BlindSignature {
        get throws {
            BlindSignature(
                amount: amount, id: keysetID, blindSignature: try .init(hex: signature),
                dleq: BlindSignatureDLEQ(e: try .init(hex: dleqE), s: try .init(hex: dleqS)))
        }
    }
}

/// A bolt11 mint quote.
public struct MintQuoteRecord: Sendable, Hashable {
    public var id: String
    public var method: String
    /// The invoice the payer pays.
    public var request: String
    /// Hex payment hash of the invoice (how the backend reports payment).
    public var paymentHash: PaymentHash
    public var amount: Amount
    public var unit: CurrencyUnit
    public var state: MintQuoteState
    /// NUT-20 lock.
    public var pubkey: String?
    public var expiry: UInt64
    public var createdAt: UInt64
    public var paidAt: UInt64?
    public var issuedAt: UInt64?

    public init(
        id: String, method: String, request: String, paymentHash: PaymentHash, amount: Amount, unit: CurrencyUnit, state: MintQuoteState,
        pubkey: String?, expiry: UInt64, createdAt: UInt64, paidAt: UInt64? = nil, issuedAt: UInt64? = nil
    ) {
        self.id = id
        self.method = method
        self.request = request
        self.paymentHash = paymentHash
        self.amount = amount
        self.unit = unit
        self.state = state
        self.pubkey = pubkey
        self.expiry = expiry
        self.createdAt = createdAt
        self.paidAt = paidAt
        self.issuedAt = issuedAt
    }
}

/// A bolt11 melt quote.
public struct MeltQuoteRecord: Sendable, Hashable {
    public var id: String
    public var method: String
    /// The invoice to pay.
    public var request: String
    public var paymentHash: PaymentHash
    public var unit: CurrencyUnit
    /// What the mint pays out, in the unit.
    public var amount: Amount
    /// The most the Lightning fee may cost, in the unit.
    public var feeReserve: Amount
    /// The amount paid over Lightning, in msat (the invoice amount, or the MPP/amountless amount).
    public var amountMsat: UInt64
    public var state: MeltQuoteState
    public var expiry: UInt64
    public var paymentPreimage: String?
    /// The Lightning fee actually paid, in the unit.
    public var feePaid: Amount?
    public var createdAt: UInt64
    public var paidAt: UInt64?
    /// NUT-08 blank outputs stored with a pending melt, so that change can be signed after a restart.
    public var blankOutputs: [BlindedMessage]?
    /// The input amount locked by the pending melt (to compute change after a restart).
    public var inputAmount: Amount?
    /// The input fee of the pending melt.
    public var inputFee: Amount?
    /// When the pending melt's payment was last handed to the backend (nil: before that was recorded). Also the
    /// token of that attempt: only its sender may release the inputs on a failure.
    public var paymentAttemptAt: UInt64?
    /// The backend the payment was handed to (its registry name).
    public var paymentBackend: String?

    public init(
        id: String, method: String, request: String, paymentHash: PaymentHash, unit: CurrencyUnit, amount: Amount, feeReserve: Amount,
        amountMsat: UInt64, state: MeltQuoteState, expiry: UInt64, paymentPreimage: String? = nil, feePaid: Amount? = nil,
        createdAt: UInt64, paidAt: UInt64? = nil, blankOutputs: [BlindedMessage]? = nil, inputAmount: Amount? = nil, inputFee: Amount? = nil,
        paymentAttemptAt: UInt64? = nil, paymentBackend: String? = nil
    ) {
        self.paymentAttemptAt = paymentAttemptAt
        self.paymentBackend = paymentBackend
        self.id = id
        self.method = method
        self.request = request
        self.paymentHash = paymentHash
        self.unit = unit
        self.amount = amount
        self.feeReserve = feeReserve
        self.amountMsat = amountMsat
        self.state = state
        self.expiry = expiry
        self.paymentPreimage = paymentPreimage
        self.feePaid = feePaid
        self.createdAt = createdAt
        self.paidAt = paidAt
        self.blankOutputs = blankOutputs
        self.inputAmount = inputAmount
        self.inputFee = inputFee
    }
}
