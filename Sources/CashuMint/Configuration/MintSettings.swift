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
    /// What melts hold back for Lightning routing fees.
    public var feeReserve = FeeReserveRule()
    /// What `/v1/info` says about the mint.
    public var info = InfoSettings()

    public init() {}

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
