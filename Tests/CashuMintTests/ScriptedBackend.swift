import Bolt11
import CashuCrypto
import CashuMint
import FakeLightning
import Synchronization

/// A payment backend whose outgoing payments return what the test scripts: `pay` answers `payResult`, and
/// `paymentStatus` answers `status` (as a node would after the mint lost track, e.g. across a crash).
/// Invoices and quotes come from a real fake node.
final class ScriptedBackend: PaymentBackend, Sendable {
    let node: FakeLightningBackend
    let script = Mutex<(payResult: PaymentResult, status: PaymentResult, payCalls: Int)>((.unknown, .unknown, 0))
    /// Incoming invoices: a scripted status (nil: the node's), whether asking fails, and how often it was asked.
    let invoices = Mutex<(status: InvoiceStatus?, fails: Bool, calls: Int)>((nil, false, 0))

    init(node: FakeLightningBackend = FakeLightningBackend(settings: .instant)) { self.node = node }

    var units: Set<CurrencyUnit> { node.units }
    var network: String { node.network }
    func set(pay: PaymentResult? = nil, status: PaymentResult? = nil) {
        script.withLock { s in
            if let pay { s.payResult = pay }
            if let status { s.status = status }
        }
    }
    var payCalls: Int { script.withLock { $0.payCalls } }

    func createInvoice(amount: Amount, unit: CurrencyUnit, description: String?, expiry: UInt64) async throws -> CreatedInvoice {
        try await node.createInvoice(amount: amount, unit: unit, description: description, expiry: expiry)
    }
    func invoiceStatus(paymentHash: String) async throws -> InvoiceStatus {
        let (status, fails) = invoices.withLock { i in
            i.calls += 1
            return (i.status, i.fails)
        }
        if fails { throw CancellationError() }
        if let status { return status }
        return try await node.invoiceStatus(paymentHash: paymentHash)
    }
    func setInvoices(status: InvoiceStatus?, fails: Bool = false) { invoices.withLock { $0.status = status; $0.fails = fails } }
    var invoiceStatusCalls: Int { invoices.withLock { $0.calls } }
    func paidInvoices() -> AsyncStream<String> { node.paidInvoices() }
    func quote(invoice: Invoice, amountMsat: UInt64, unit: CurrencyUnit) async throws -> PaymentQuote {
        try await node.quote(invoice: invoice, amountMsat: amountMsat, unit: unit)
    }
    func pay(invoice: Invoice, amountMsat: UInt64, unit: CurrencyUnit, maxFee: Amount) async throws -> PaymentResult {
        script.withLock { s in
            s.payCalls += 1
            return s.payResult
        }
    }
    func paymentStatus(paymentHash: String, unit: CurrencyUnit) async throws -> PaymentResult { script.withLock { $0.status } }
}
