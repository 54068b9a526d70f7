import Bolt11
import CashuCrypto

/// The Lightning seam: everything the mint needs from a node or payment service.
///
/// Amounts cross the seam in millisatoshi; the mint converts to and from its units (`UnitConversion`) and applies
/// the fee-reserve rule (`FeeReserveRule`) itself, so every backend behaves alike. A backend has a lifecycle:
/// `run()` connects, keeps the connection (reconnecting with backoff), follows incoming payments into `incoming`,
/// and returns when cancelled. Calls made while it is disconnected fail with `PaymentBackendError`.
public protocol PaymentBackend: Sendable {
    /// The backend's registry name (`fake`, `lnbits`, ...), for logs and health.
    var name: String { get }
    /// Units this backend can take and pay in.
    var units: Set<CurrencyUnit> { get }
    /// The BOLT11 currency prefix of the node's chain (`bc` mainnet, `tb` testnet, `tbs` signet, `bcrt` regtest):
    /// invoices of another network are refused.
    var network: String { get }
    /// How amounts in the backend's units convert to msat.
    var conversion: UnitConversion { get }
    /// Whether it can pay part of an amountless invoice (NUT-05 `amountless` option).
    var paysAmountless: Bool { get }
    /// Whether it can pay part of an invoice, as one path of a multi-path payment whose other parts other nodes send
    /// (NUT-15): `pay` is then asked for less than the invoice's amount.
    var paysMultiPath: Bool { get }
    /// The longest a payment call may take, the node's own retrying included: a payment with no record at the
    /// backend is sent again only well after this (`Mint.resendWait`).
    var payTimeout: Duration { get }
    /// Paid incoming invoices, as the backend learns of them; any number of listeners may follow.
    var incoming: IncomingPayments { get }

    /// The backend's lifecycle: connect, stay connected, follow incoming payments. Returns when cancelled.
    func run() async throws
    /// Whether the backend answers now (nil), or why not.
    func health() async -> PaymentBackendError?
    /// What the backend holds, in msat (the node's channel balance, or the account's balance).
    func balanceMsat() async throws -> UInt64

    /// The least fee reserve the backend itself holds for paying `invoice` (nil: none of its own). A melt quote
    /// reserves the larger of this and the mint's `FeeReserveRule`, so that the backend never spends more on fees
    /// than the wallet reserved.
    func feeReserveMsat(invoice: Invoice, amountMsat: UInt64) async throws -> UInt64?
    /// Creates an invoice for `amountMsat` that a mint quote asks the payer to pay.
    func createInvoice(amountMsat: UInt64, description: String?, expiry: UInt64) async throws -> CreatedInvoice
    /// Whether an invoice the backend created has been paid.
    func invoiceStatus(_ hash: PaymentHash) async throws -> InvoiceStatus

    /// Pays an invoice (or `amountMsat` of an amountless one, or `amountMsat` as this node's part of a multi-path
    /// payment when that is less than the invoice's amount), spending at most `maxFeeMsat` on routing fees.
    /// Returns `.pending` when the payment is still in flight, `.unknown` when the outcome cannot be told; only
    /// `.failed` means the money did not and will not move.
    func pay(invoice: Invoice, amountMsat: UInt64, maxFeeMsat: UInt64) async throws -> PaymentResult
    /// What became of an outgoing payment (after a restart, or while pending).
    func paymentStatus(_ hash: PaymentHash) async throws -> PaymentResult
}

extension PaymentBackend {
    public func run() async throws {
        // A backend with no connection to keep: wait for cancellation.
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }

    public func health() async -> PaymentBackendError? { nil }

    public var paysAmountless: Bool { false }

    public var paysMultiPath: Bool { false }

    public var payTimeout: Duration { .zero }

    public func feeReserveMsat(invoice: Invoice, amountMsat: UInt64) async throws -> UInt64? { nil }
}

/// The backend could not be reached or refused to work; nothing was paid because of this call.
public struct PaymentBackendError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// An invoice the backend created.
public struct CreatedInvoice: Sendable, Hashable {
    public var bolt11: String
    public var paymentHash: PaymentHash

    public init(bolt11: String, paymentHash: PaymentHash) {
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

/// An outgoing payment's outcome.
public enum PaymentResult: Sendable, Hashable {
    /// Paid; the routing fee in msat and the preimage.
    case paid(feeMsat: UInt64, preimage: String?)
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
