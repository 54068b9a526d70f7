import CashuCrypto
import CashuProtocol

/// What an operator configures about the mint's behaviour. Transport and storage settings live with the server.
public struct MintSettings: Sendable, Hashable {
    /// Units with an active keyset.
    public var units: [CurrencyUnit] = [.sat]
    /// Input fee of newly created keysets, parts per thousand per input.
    public var inputFeePPK: UInt64 = 0
    /// Denominations per new keyset: 2^0 … 2^(count−1).
    public var denominations: Int = 64
    /// Version of newly created keyset IDs (`01` by default; `00` for old wallets).
    public var keysetIDVersion: KeysetID.Version = .v2
    /// Most inputs in one request (error 11014).
    public var maxInputs: Int = 1000
    /// Most outputs in one request (error 11015).
    public var maxOutputs: Int = 1000
    /// Longest proof secret accepted, in UTF-8 bytes.
    public var maxSecretLength: Int = 1024
    /// Longest witness accepted, in UTF-8 bytes.
    public var maxWitnessLength: Int = 8192
    /// Seconds a mint quote's invoice stays payable.
    public var mintQuoteExpiry: UInt64 = 3600
    /// Seconds a melt quote stays usable.
    public var meltQuoteExpiry: UInt64 = 3600
    /// Smallest and largest amount per mint quote (error 11006).
    public var mintMinAmount: Amount = 1
    public var mintMaxAmount = Amount(1 << 62)
    /// Smallest and largest amount per melt quote.
    public var meltMinAmount: Amount = 1
    public var meltMaxAmount = Amount(1 << 62)
    /// Whether minting is switched off (error 20003).
    public var mintingDisabled = false
    /// Whether melting is switched off.
    public var meltingDisabled = false
    /// Whether every mint quote must be locked to a key (NUT-20): quotes without `pubkey` are refused (20009).
    public var requireQuotePubkey = false
    /// How often checking an unpaid mint quote may ask the payment backend whether its invoice was paid.
    public var quoteCheckInterval: Duration = .seconds(10)
    /// How long after a PENDING melt's payment was handed to the backend it is sent again when the backend has no
    /// record of it (the process died before the call, or the call was lost on the way). Backends pay a payment
    /// hash at most once, so a second send cannot pay twice; this only has to outlast a call still on its way.
    public var meltResendAfter: Duration = .seconds(120)
    /// How far the backend's balance may fall short of the e-cash outstanding (settlements in flight) before
    /// minting pauses, in msat.
    public var solvencyToleranceMsat: UInt64 = 1_000_000
    /// Most e-cash outstanding per unit: a mint quote that would go beyond is refused.
    public var maxBalance: [CurrencyUnit: Amount] = [:]
    /// Whether the server serves NUT-17 subscriptions on `/v1/ws` (set by the composition root, which runs them).
    public var webSockets = false
    /// Seconds a successful swap, mint or melt answer is kept for replay (NUT-19); 0 turns the cache off.
    public var responseCacheTTL: UInt64 = 604_800
    /// What melts hold back for Lightning routing fees.
    public var feeReserve = FeeReserveRule()
    /// What `/v1/info` says about the mint.
    public var info = InfoSettings()
    /// Per unit, bolt11 minting's own settings where the management API changed them (`mint(unit)` resolves them).
    public var mintMethods: [CurrencyUnit: MethodSettings] = [:]
    /// Per unit, bolt11 melting's own settings.
    public var meltMethods: [CurrencyUnit: MethodSettings] = [:]
    /// Per unit, the input fee and denominations of its keysets where they differ from `inputFeePPK` and
    /// `denominations` (a rotation through the management API).
    public var unitKeysets: [CurrencyUnit: KeysetPolicy] = [:]

    /// The largest input fee a keyset may have, in parts per thousand per input (100 units per input).
    public static let maxInputFeePPK: UInt64 = 100_000

    public init() {}

    /// What one payment method of one unit allows; nil limits are the mint-wide ones.
    public struct MethodSettings: Sendable, Hashable {
        public var disabled = false
        public var minAmount: Amount?
        public var maxAmount: Amount?
        /// NUT-04 `description` (invoice descriptions taken) or NUT-05 `amountless` (amountless invoices paid).
        public var option = true

        public init() {}
    }

    /// A unit's minting as it stands: disabled when minting is, or this unit's bolt11 minting is.
    public func mint(_ unit: CurrencyUnit) -> (disabled: Bool, min: Amount, max: Amount, option: Bool) {
        let m = mintMethods[unit]
        return (mintingDisabled || m?.disabled == true, m?.minAmount ?? mintMinAmount, m?.maxAmount ?? mintMaxAmount, m?.option ?? true)
    }

    /// A unit's melting as it stands.
    public func melt(_ unit: CurrencyUnit) -> (disabled: Bool, min: Amount, max: Amount, option: Bool) {
        let m = meltMethods[unit]
        return (meltingDisabled || m?.disabled == true, m?.minAmount ?? meltMinAmount, m?.maxAmount ?? meltMaxAmount, m?.option ?? true)
    }

    /// The input fee and denominations a unit's active keyset should have.
    public func keysetPolicy(_ unit: CurrencyUnit) -> KeysetPolicy {
        unitKeysets[unit] ?? KeysetPolicy(inputFeePPK: inputFeePPK, denominations: denominations)
    }

    /// Descriptive fields of `/v1/info`.
    public struct InfoSettings: Sendable, Hashable {
        public var name: String? = "Cashew mint"
        public var description: String?
        public var descriptionLong: String?
        public var contact: [MintInfo.Contact] = []
        public var motd: String?
        public var iconURL: String?
        public var urls: [String] = []
        public var tosURL: String?

        public init() {}
    }
}

/// The input fee and denominations of a unit's keysets.
public struct KeysetPolicy: Sendable, Hashable, Codable {
    /// Parts per thousand per input.
    public var inputFeePPK: UInt64
    /// Denominations 2^0 … 2^(count−1).
    public var denominations: Int

    public init(inputFeePPK: UInt64, denominations: Int) {
        self.inputFeePPK = inputFeePPK
        self.denominations = denominations
    }
}
