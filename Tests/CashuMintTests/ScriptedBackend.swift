import Bolt11
import CashuCrypto
import CashuMint
import FakeLightning
import Synchronization

/// A payment backend whose outgoing payments return what the test scripts: `pay` answers `payResult`, and
/// `paymentStatus` answers `status` (as a node would after the mint lost track, e.g. across a crash).
/// Invoices come from a real fake node.
final class ScriptedBackend: PaymentBackend, Sendable {
    let node: FakeLightningBackend
    let script = Mutex<(payResult: PaymentResult, status: PaymentResult, payCalls: Int)>((.unknown, .unknown, 0))
    /// Incoming invoices: a scripted status (nil: the node's), whether asking fails, and how often it was asked.
    let invoices = Mutex<(status: InvoiceStatus?, fails: Bool, calls: Int)>((nil, false, 0))

    init(node: FakeLightningBackend = FakeLightningBackend(settings: .instant)) { self.node = node }

    var name: String { "scripted" }
    var units: Set<CurrencyUnit> { node.units }
    var network: String { node.network }
    var conversion: UnitConversion { node.conversion }
    var incoming: IncomingPayments { node.incoming }
    var paysAmountless: Bool { node.paysAmountless }
    /// The pay timeout it declares.
    let timeout = Mutex<Duration>(.zero)
    var payTimeout: Duration { timeout.withLock { $0 } }
    func set(pay: PaymentResult? = nil, status: PaymentResult? = nil) {
        script.withLock { s in
            if let pay { s.payResult = pay }
            if let status { s.status = status }
        }
    }
    var payCalls: Int { script.withLock { $0.payCalls } }

    /// A balance to report instead of the node's.
    let balance = Mutex<UInt64?>(nil)
    func balanceMsat() async throws -> UInt64 {
        if let b = balance.withLock({ $0 }) { return b }
        return try await node.balanceMsat()
    }
    func createInvoice(amountMsat: UInt64, description: String?, expiry: UInt64) async throws -> CreatedInvoice {
        try await node.createInvoice(amountMsat: amountMsat, description: description, expiry: expiry)
    }
    func invoiceStatus(_ hash: PaymentHash) async throws -> InvoiceStatus {
        let (status, fails) = invoices.withLock { i in
            i.calls += 1
            return (i.status, i.fails)
        }
        if fails { throw CancellationError() }
        if let status { return status }
        return try await node.invoiceStatus(hash)
    }
    func setInvoices(status: InvoiceStatus?, fails: Bool = false) { invoices.withLock { $0.status = status; $0.fails = fails } }
    var invoiceStatusCalls: Int { invoices.withLock { $0.calls } }
    func pay(invoice: Invoice, amountMsat: UInt64, maxFeeMsat: UInt64) async throws -> PaymentResult {
        script.withLock { s in
            s.payCalls += 1
            return s.payResult
        }
    }
    func paymentStatus(_ hash: PaymentHash) async throws -> PaymentResult { script.withLock { $0.status } }
}
