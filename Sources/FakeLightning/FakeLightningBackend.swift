import Bolt11
import CashewEncoding
import CashuCrypto
import CashuMint
import CashuProtocol
import Crypto
import Foundation
import Secp256k1
import Synchronization

/// A Lightning backend for development and tests that behaves like a node: it issues real signed BOLT11
/// invoices and marks them paid after a delay, "pays" any valid invoice with a configurable outcome, delay and
/// fee, and remembers outgoing payments in a state file (when given one) so that a restarted mint can ask what
/// became of them.
public final class FakeLightningBackend: PaymentBackend, Sendable {
    public let settings: FakeLightningSettings
    public let units: Set<CurrencyUnit> = [.sat, .msat, .usd, .eur]
    public var network: String { settings.network }
    let nodeKey: Scalar
    let stateFile: URL?
    let state: Mutex<State>
    let paidContinuation: AsyncStream<String>.Continuation
    let paidStream: AsyncStream<String>

    struct State {
        /// Incoming invoices: payment hash → creation time and preimage.
        var invoices: [String: (created: Double, preimage: String)] = [:]
        /// Outgoing payments: payment hash → record.
        var payments: [String: OutgoingPayment] = [:]
    }

    /// An outgoing payment, as persisted.
    struct OutgoingPayment: Codable, Sendable {
        var outcome: String
        var resolvesAt: Double
        var feeMsat: UInt64
        /// Known only for invoices this node issued; a real payer learns it from the payee, a fake one cannot.
        var preimage: String?
    }

    /// A node with a random key; `stateFile` keeps outgoing payments across restarts.
    public init(settings: FakeLightningSettings, stateFile: URL? = nil) {
        self.settings = settings
        self.nodeKey = Scalar.random()
        self.stateFile = stateFile
        var initial = State()
        if let stateFile, let data = try? Data(contentsOf: stateFile),
           let payments = try? JSONDecoder().decode([String: OutgoingPayment].self, from: data)
        {
            initial.payments = payments
        }
        self.state = Mutex(initial)
        (paidStream, paidContinuation) = AsyncStream<String>.makeStream()
    }

    deinit { paidContinuation.finish() }

    // MARK: Units

    /// msat for an amount in `unit` (rounded up).
    func msat(_ amount: Amount, _ unit: CurrencyUnit) throws -> UInt64 {
        switch unit {
        case .sat:
            let (v, o) = amount.rawValue.multipliedReportingOverflow(by: 1000)
            guard !o else { throw CashuError(.amountOutsideLimit, "amount too large") }
            return v
        case .msat: return amount.rawValue
        case .usd, .eur:
            // cents → msat: cents / (100 · price) BTC = cents · 10^11 / (100 · price) msat
            let (v, o) = amount.rawValue.multipliedReportingOverflow(by: 1_000_000_000)
            guard !o else { throw CashuError(.amountOutsideLimit, "amount too large") }
            let (q, r) = v.quotientAndRemainder(dividingBy: settings.btcPrice)
            return r == 0 ? q : q + 1
        default: throw CashuError(.unitNotSupported)
        }
    }

    /// An msat amount in `unit` (rounded up).
    func amount(msat: UInt64, _ unit: CurrencyUnit) throws -> Amount {
        switch unit {
        case .sat: return Amount(msat / 1000 + (msat % 1000 == 0 ? 0 : 1))
        case .msat: return Amount(msat)
        case .usd, .eur:
            let (v, o) = msat.multipliedReportingOverflow(by: settings.btcPrice)
            guard !o else { throw CashuError(.amountOutsideLimit, "amount too large") }
            return Amount(v / 1_000_000_000 + (v % 1_000_000_000 == 0 ? 0 : 1))
        default: throw CashuError(.unitNotSupported)
        }
    }

    // MARK: Incoming

    public func createInvoice(amount: Amount, unit: CurrencyUnit, description: String?, expiry: UInt64) async throws -> CreatedInvoice {
        let preimage = SecureRandom.bytes(32)
        let hash = Array(SHA256.hash(data: preimage))
        let invoice = try Invoice.Builder(
            network: settings.network, amountMsat: try msat(amount, unit), paymentHash: hash, paymentSecret: SecureRandom.bytes(32),
            description: description ?? "", expiry: expiry, features: FeatureBits.words(setting: [8, 14])
        ).sign(with: nodeKey)
        let hashHex = Hex.encode(hash)
        state.withLock { $0.invoices[hashHex] = (Date().timeIntervalSince1970, Hex.encode(preimage)) }
        let delay = settings.incomingDelay
        let continuation = paidContinuation
        Task {
            if delay > 0 { try? await Task.sleep(for: .milliseconds(Int(delay * 1000))) }
            continuation.yield(hashHex)
        }
        return CreatedInvoice(bolt11: invoice.bolt11, paymentHash: hashHex)
    }

    public func invoiceStatus(paymentHash: String) async throws -> InvoiceStatus {
        let created = state.withLock { $0.invoices[paymentHash]?.created }
        // Invoices issued before a restart are unknown to this process; like nutshell's fake wallet, treat every
        // invoice as paid once its delay has passed.
        guard let created else { return .paid }
        return Date().timeIntervalSince1970 >= created + settings.incomingDelay ? .paid : .unpaid
    }

    public func paidInvoices() -> AsyncStream<String> { paidStream }

    // MARK: Outgoing

    public func quote(invoice: Invoice, amountMsat: UInt64, unit: CurrencyUnit) async throws -> PaymentQuote {
        let reserveMsat = max(settings.reserveFeeMinMsat, Self.percent(settings.feePercent, of: amountMsat))
        return PaymentQuote(amount: try amount(msat: amountMsat, unit), feeReserve: try amount(msat: reserveMsat, unit))
    }

    /// `percent` % of `msat`, rounded down, in integers: through `Double` a large amount overflowed `UInt64` and
    /// trapped (an amountless melt quote for 2^64−1 msat at 100 % killed the mint). At most `msat` for 0…100 %.
    static func percent(_ percent: Double, of msat: UInt64) -> UInt64 {
        let ppm = UInt64((min(max(percent.isNaN ? 0 : percent, 0), 100) * 10_000).rounded())
        let product = msat.multipliedFullWidth(by: ppm)
        return UInt64(1_000_000).dividingFullWidth(product).quotient
    }

    public func pay(invoice: Invoice, amountMsat: UInt64, unit: CurrencyUnit, maxFee: Amount) async throws -> PaymentResult {
        let hash = invoice.paymentHashHex
        let feeMsat = min(settings.paymentFeeMsat, try msat(maxFee, unit))
        let payment = try state.withLock { s -> OutgoingPayment in
            if let existing = s.payments[hash], existing.outcome != FakeLightningSettings.PaymentOutcome.failed.rawValue {
                throw CashuError(.invoiceAlreadyPaid, "the node already paid or is paying this invoice")
            }
            let p = OutgoingPayment(
                outcome: settings.paymentOutcome.rawValue, resolvesAt: Date().timeIntervalSince1970 + settings.paymentDelay,
                feeMsat: feeMsat, preimage: s.invoices[hash]?.preimage)
            s.payments[hash] = p
            return p
        }
        try persist()
        if settings.paymentDelay > 0 {
            try await Task.sleep(for: .milliseconds(Int(settings.paymentDelay * 1000)))
        }
        return try result(payment, unit: unit)
    }

    public func paymentStatus(paymentHash: String, unit: CurrencyUnit) async throws -> PaymentResult {
        guard let payment = state.withLock({ $0.payments[paymentHash] }) else { return .unknown }
        return try result(payment, unit: unit)
    }

    func result(_ p: OutgoingPayment, unit: CurrencyUnit) throws -> PaymentResult {
        if Date().timeIntervalSince1970 < p.resolvesAt { return .pending }
        switch FakeLightningSettings.PaymentOutcome(rawValue: p.outcome) ?? .pending {
        case .paid: return .paid(fee: try amount(msat: p.feeMsat, unit), preimage: p.preimage)
        case .failed: return .failed(reason: "fake node configured to fail payments")
        case .pending: return .pending
        }
    }

    func persist() throws {
        guard let stateFile else { return }
        let payments = state.withLock { $0.payments }
        // Written to a temporary file and renamed over the old one: the payment is on disk before it is attempted.
        try JSONEncoder().encode(payments).write(to: stateFile, options: .atomic)
    }
}
