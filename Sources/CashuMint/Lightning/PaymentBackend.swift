import Bolt11
import CashuCrypto

/// The Lightning seam: everything the mint needs from a node or payment service.
public protocol PaymentBackend: Sendable {
    /// Units this backend can take and pay in.
    var units: Set<CurrencyUnit> { get }
    /// The BOLT11 currency prefix of the node's chain (`bc` mainnet, `tb` testnet, `tbs` signet, `bcrt` regtest):
    /// invoices of another network are refused.
    var network: String { get }

    /// Creates an invoice for `amount` (in `unit`) that the mint's quote will ask the payer to pay.
    func createInvoice(amount: Amount, unit: CurrencyUnit, description: String?, expiry: UInt64) async throws -> CreatedInvoice
    /// Whether an invoice the backend created has been paid.
    func invoiceStatus(paymentHash: String) async throws -> InvoiceStatus
    /// Paid invoices as they arrive (the mint marks their quotes PAID). Finishes when the backend stops.
    func paidInvoices() -> AsyncStream<String>

    /// The amount an invoice or a partial/amountless payment of `amountMsat` costs in `unit`, and the fee reserve.
    func quote(invoice: Invoice, amountMsat: UInt64, unit: CurrencyUnit) async throws -> PaymentQuote
    /// Pays an invoice (or `amountMsat` of it), spending at most `maxFee` (in `unit`) on fees.
    func pay(invoice: Invoice, amountMsat: UInt64, unit: CurrencyUnit, maxFee: Amount) async throws -> PaymentResult
    /// What became of an outgoing payment (after a restart, or while pending).
    func paymentStatus(paymentHash: String, unit: CurrencyUnit) async throws -> PaymentResult
}

/// An invoice the backend created.
public struct CreatedInvoice: Sendable, Hashable {
    public var bolt11: String
    public var paymentHash: String

    public init(bolt11: String, paymentHash: String) {
        self.bolt11 = bolt11
        self.paymentHash = paymentHash
    }
}

/// An incoming invoice's state.
public enum InvoiceStatus: Sendable, Hashable {
    case unpaid
    case paid
    /// Expired or cancelled: it can no longer be paid.
    case expired
}

/// What a payment will cost.
public struct PaymentQuote: Sendable, Hashable {
    /// The amount to pay, in the unit.
    public var amount: Amount
    /// The most the fee may cost, in the unit.
    public var feeReserve: Amount

    public init(amount: Amount, feeReserve: Amount) {
        self.amount = amount
        self.feeReserve = feeReserve
    }
}

/// An outgoing payment's outcome.
public enum PaymentResult: Sendable, Hashable {
    /// Paid; the fee in the unit and the preimage.
    case paid(fee: Amount, preimage: String?)
    /// Definitely failed: the money did not move and never will.
    case failed(reason: String)
    /// In flight.
    case pending
    /// The backend does not know (it cannot be reached, or has no record). The mint must not release the inputs.
    case unknown

    /// The outcome without its preimage, for logs.
    public var kind: String {
        switch self {
        case .paid: "paid"
        case .failed: "failed"
        case .pending: "pending"
        case .unknown: "unknown"
        }
    }
}
