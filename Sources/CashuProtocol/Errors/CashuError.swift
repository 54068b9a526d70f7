/// A Cashu protocol error: `{"detail": "...", "code": 11001}` on the wire (NUT-00), with the NUT error codes.
public struct CashuError: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    /// A NUT error code. Unknown codes from other mints are kept as they are.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// Generic: the request is not allowed or cannot be read (nutshell's `NotAllowedError`).
        public static let notAllowed = Code(rawValue: 10000)
        public static let proofVerificationFailed = Code(rawValue: 10001)
        /// Generic transaction error (nutshell's `TransactionError`).
        public static let transactionError = Code(rawValue: 11000)
        public static let proofsAlreadySpent = Code(rawValue: 11001)
        public static let proofsPending = Code(rawValue: 11002)
        public static let outputsAlreadySigned = Code(rawValue: 11003)
        public static let outputsPending = Code(rawValue: 11004)
        public static let transactionUnbalanced = Code(rawValue: 11005)
        public static let amountOutsideLimit = Code(rawValue: 11006)
        public static let duplicateInputs = Code(rawValue: 11007)
        public static let duplicateOutputs = Code(rawValue: 11008)
        public static let multipleUnits = Code(rawValue: 11009)
        public static let inputOutputUnitMismatch = Code(rawValue: 11010)
        public static let amountlessInvoiceNotSupported = Code(rawValue: 11011)
        public static let amountMismatch = Code(rawValue: 11012)
        public static let unitNotSupported = Code(rawValue: 11013)
        public static let maxInputsExceeded = Code(rawValue: 11014)
        public static let maxOutputsExceeded = Code(rawValue: 11015)
        public static let duplicateQuoteIDs = Code(rawValue: 11016)
        public static let maxBatchSizeExceeded = Code(rawValue: 11017)
        public static let keysetUnknown = Code(rawValue: 12001)
        public static let keysetInactive = Code(rawValue: 12002)
        public static let keysetExpired = Code(rawValue: 12003)
        public static let quoteNotPaid = Code(rawValue: 20001)
        public static let quoteAlreadyIssued = Code(rawValue: 20002)
        public static let mintingDisabled = Code(rawValue: 20003)
        public static let lightningPaymentFailed = Code(rawValue: 20004)
        public static let quotePending = Code(rawValue: 20005)
        public static let invoiceAlreadyPaid = Code(rawValue: 20006)
        public static let quoteExpired = Code(rawValue: 20007)
        public static let mintRequestSignatureInvalid = Code(rawValue: 20008)
        public static let pubkeyRequired = Code(rawValue: 20009)
        public static let clearAuthRequired = Code(rawValue: 30001)
        public static let clearAuthFailed = Code(rawValue: 30002)
        public static let blindAuthRequired = Code(rawValue: 31001)
        public static let blindAuthFailed = Code(rawValue: 31002)
        public static let batMintMaxExceeded = Code(rawValue: 31003)
        public static let batRateLimitExceeded = Code(rawValue: 31004)

        public var description: String { String(rawValue) }

        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(Int.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(rawValue)
        }

        /// The message for a code given without one: nutshell's wording where it has one (wallets show these texts
        /// and match on them), error_codes.md's otherwise.
        public var standardDetail: String {
            switch self {
            case .notAllowed: "not allowed"
            case .proofVerificationFailed: "proofs could not be verified"
            case .transactionError: "transaction error"
            case .proofsAlreadySpent: "proofs already spent"
            case .proofsPending: "proofs are pending"
            case .outputsAlreadySigned: "outputs already signed"
            case .outputsPending: "outputs are pending"
            case .transactionUnbalanced: "Transaction is not balanced (inputs != outputs)"
            case .amountOutsideLimit: "Amount outside of limit range"
            case .duplicateInputs: "Duplicate inputs provided"
            case .duplicateOutputs: "Duplicate outputs provided"
            case .multipleUnits: "Inputs/Outputs of multiple units"
            case .inputOutputUnitMismatch: "Inputs and outputs not of same unit"
            case .amountlessInvoiceNotSupported: "Amountless invoice is not supported"
            case .amountMismatch: "Amount in request does not equal invoice"
            case .unitNotSupported: "Unit in request is not supported"
            case .maxInputsExceeded: "Max inputs exceeded"
            case .maxOutputsExceeded: "Max outputs exceeded"
            case .duplicateQuoteIDs: "Duplicate quote IDs provided"
            case .maxBatchSizeExceeded: "Max batch size exceeded"
            case .keysetUnknown: "keyset not found"
            case .keysetInactive: "keyset is inactive, cannot sign messages"
            case .keysetExpired: "Keyset has expired"
            case .quoteNotPaid: "quote not paid"
            case .quoteAlreadyIssued: "quote already issued"
            case .mintingDisabled: "Minting is disabled"
            case .lightningPaymentFailed: "Lightning payment failed"
            case .quotePending: "quote is pending"
            case .invoiceAlreadyPaid: "invoice already paid"
            case .quoteExpired: "quote is expired"
            case .mintRequestSignatureInvalid: "Signature for mint request invalid"
            case .pubkeyRequired: "Pubkey required for mint quote"
            case .clearAuthRequired: "Endpoint requires clear auth"
            case .clearAuthFailed: "Clear authentication failed"
            case .blindAuthRequired: "Endpoint requires blind auth"
            case .blindAuthFailed: "Blind authentication failed"
            case .batMintMaxExceeded: "Maximum BAT mint amount exceeded"
            case .batRateLimitExceeded: "BAT mint rate limit exceeded"
            default: "Error \(rawValue)"
            }
        }
    }

    /// The code.
    public let code: Code
    /// A message for people.
    public let detail: String

    /// An error with a code and a message (the code's standard message when none is given).
    public init(_ code: Code, _ detail: String? = nil) {
        self.code = code
        self.detail = detail ?? code.standardDetail
    }

    public var description: String { "\(detail) (code \(code.rawValue))" }

    enum CodingKeys: String, CodingKey { case detail, code }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        detail = try c.decodeIfPresent(String.self, forKey: .detail) ?? ""
        code = try c.decodeIfPresent(Code.self, forKey: .code) ?? Code(rawValue: 0)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(detail, forKey: .detail)
        try c.encode(code, forKey: .code)
    }
}
