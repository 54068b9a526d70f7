/// What a stopped nutshell mint's database holds that the move to Cashew needs, read from its tables
/// (`keysets`, `promises`, `proofs_used`, `proofs_pending`, `mint_quotes`, `melt_quotes`; nutshell 0.21, database
/// version 39). Values are kept as nutshell stores them; `NutshellImporter` checks and converts them.
public struct NutshellLedger: Sendable {
    public struct Keyset: Sendable {
        public var id: String
        public var derivationPath: String
        /// The private key nutshell derived the keyset from, when stored in the clear.
        public var seed: String?
        public var encrypted: Bool
        public var active: Bool
        public var unit: String
        public var inputFeePPK: UInt64
        /// The denominations (nil: the 64 powers of two of old keysets).
        public var amounts: [UInt64]?
        public var finalExpiry: UInt64?
        public var validFrom: UInt64
        /// Input fees nutshell counted as paid to this keyset.
        public var feesPaid: UInt64
    }

    /// A blind signature nutshell issued (`promises` with `c_`).
    public struct Promise: Sendable {
        public var amount: UInt64
        public var keysetID: String
        public var blindedMessage: String
        public var signature: String
        public var created: UInt64
        /// The mint quote it was issued for, if any.
        public var mintQuote: String? = nil
    }

    /// A blank output (NUT-08) a pending melt holds for its change: a `promises` row without `c_`.
    public struct BlankOutput: Sendable {
        public var amount: UInt64
        public var keysetID: String
        public var blindedMessage: String
        public var meltQuote: String
    }

    /// A proof nutshell redeemed or holds for a pending melt.
    public struct Proof: Sendable {
        public var amount: UInt64
        public var keysetID: String
        public var c: String
        public var secret: String
        public var y: String?
        public var witness: String?
        public var created: UInt64
        public var meltQuote: String?
    }

    public struct MintQuote: Sendable {
        public var quote: String
        public var method: String
        public var request: String
        public var checkingID: String
        public var unit: String
        public var amount: UInt64
        public var state: String
        public var pubkey: String?
        public var created: UInt64
        public var paid: UInt64?
        public var issued: UInt64?
    }

    public struct MeltQuote: Sendable {
        public var quote: String
        public var method: String
        public var request: String
        public var checkingID: String
        public var unit: String
        public var amount: UInt64
        public var feeReserve: UInt64
        public var state: String
        public var created: UInt64
        public var paid: UInt64?
        public var feePaid: UInt64?
        public var preimage: String?
        public var expiry: UInt64?
    }

    public var databaseVersion: Int
    public var keysets: [Keyset]
    public var promises: [Promise]
    public var blankOutputs: [BlankOutput] = []
    public var spent: [Proof]
    public var pending: [Proof]
    public var mintQuotes: [MintQuote]
    public var meltQuotes: [MeltQuote]

    init(
        databaseVersion: Int, keysets: [Keyset], promises: [Promise], blankOutputs: [BlankOutput] = [], spent: [Proof], pending: [Proof],
        mintQuotes: [MintQuote], meltQuotes: [MeltQuote]
    ) {
        self.databaseVersion = databaseVersion
        self.keysets = keysets
        self.promises = promises
        self.blankOutputs = blankOutputs
        self.spent = spent
        self.pending = pending
        self.mintQuotes = mintQuotes
        self.meltQuotes = meltQuotes
    }
}
