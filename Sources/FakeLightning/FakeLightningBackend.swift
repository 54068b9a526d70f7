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
    public let name = "fake"
    public let units: Set<CurrencyUnit> = [.sat, .msat, .usd, .eur]
    public var network: String { settings.network }
    public var conversion: UnitConversion { UnitConversion(btcPrice: settings.btcPrice) }
    public let incoming = IncomingPayments()
    public var payTimeout: Duration {
        .milliseconds(Int((min(settings.paymentDelay, 86_400) + (fakeNetwork == nil ? 0 : min(settings.mppTimeout, 86_400) + 5)) * 1000))
    }
    public var paysAmountless: Bool { true }
    /// Part of an invoice is paid like any payment; on a fake network the parts are held until they add up.
    public var paysMultiPath: Bool { true }
    let nodeKey: Scalar
    let stateFile: URL?
    let state: Mutex<State>
    /// The shared network this node is on, if any.
    let fakeNetwork: FakeNetwork?
    /// This node's name on the network: its state file's path (stable across restarts), or a random one.
    let nodeID: String

    struct State {
        /// Incoming invoices: payment hash → creation time, preimage and amount.
        var invoices: [PaymentHash: (created: Double, preimage: String, amountMsat: UInt64)] = [:]
        /// Invoices whose payment is still to be announced, with when.
        var scheduled: [(due: Double, hash: PaymentHash)] = []
        /// Outgoing payments: payment hash → record.
        var payments: [String: OutgoingPayment] = [:]
        /// Net of the payments taken and made since start, in msat.
        var received: UInt64 = 0
        var spent: UInt64 = 0
        /// Incoming payments received (announced), by payment hash hex: their amounts.
        var receivedPayments: [String: UInt64] = [:]
    }

    /// An outgoing payment, as persisted.
    struct OutgoingPayment: Codable, Sendable {
        var outcome: String
        var resolvesAt: Double
        var feeMsat: UInt64
        /// Absent in state files written before amounts were recorded.
        var amountMsat: UInt64?
        /// Known only for invoices this node issued; a real payer learns it from the payee, a fake one cannot.
        var preimage: String?
    }

    /// The outcome of a payment sent over the fake network until the network decides it.
    static let onNetwork = "network"

    /// What the state file holds: the outgoing payments, and what the node took in and paid out since its
    /// first start (so that its balance survives restarts).
    struct SavedState: Codable {
        var payments: [String: OutgoingPayment]
        var receivedMsat: UInt64
        var spentMsat: UInt64
        /// Incoming payments by hash (absent in files written before they were kept).
        var received: [String: UInt64]?
    }

    /// A node with a random key; `stateFile` keeps outgoing payments and the balance across restarts.
    public init(settings: FakeLightningSettings, stateFile: URL? = nil) {
        self.settings = settings
        self.nodeKey = Scalar.random()
        self.stateFile = stateFile
        self.fakeNetwork = settings.networkDirectory.map { FakeNetwork(directory: URL(fileURLWithPath: $0), mppTimeout: settings.mppTimeout) }
        self.nodeID = stateFile?.standardizedFileURL.path ?? UUID().uuidString
        var initial = State()
        if let stateFile, let data = try? Data(contentsOf: stateFile) {
            if let saved = try? JSONDecoder().decode(SavedState.self, from: data) {
                initial.payments = saved.payments
                initial.received = saved.receivedMsat
                initial.spent = saved.spentMsat
                initial.receivedPayments = saved.received ?? [:]
            } else if let payments = try? JSONDecoder().decode([String: OutgoingPayment].self, from: data) {
                // Written before the balance was kept: the payments alone.
                initial.payments = payments
            }
        }
        self.state = Mutex(initial)
    }

    /// Announces incoming payments as their delay passes, until cancelled.
    public func run() async throws {
        var tick = 0
        while !Task.isCancelled {
            announceDue()
            // Invoices of this node that other nodes paid over the network, every 250 ms.
            if fakeNetwork != nil, tick % 5 == 0 { announceNetworkPayments() }
            tick &+= 1
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    func announceDue(now: Double = Date().timeIntervalSince1970) {
        let due = state.withLock { s -> [PaymentHash] in
            let due = s.scheduled.filter { $0.due <= now }.map(\.hash)
            guard !due.isEmpty else { return [] }
            s.scheduled.removeAll { $0.due <= now }
            for hash in due {
                let amount = s.invoices[hash]?.amountMsat ?? 0
                s.received &+= amount
                s.receivedPayments[hash.hex] = amount
            }
            return due
        }
        guard !due.isEmpty else { return }
        // Paid by the pretended outside payer: on a network, parts sent for it now fail (it cannot be paid twice).
        for hash in due { try? fakeNetwork?.settleOutside(hash: hash.hex, now: now) }
        // The fake's own bookkeeping: a failed write costs the balance across a restart, nothing else.
        try? persist()
        for hash in due { incoming.publish(hash) }
    }

    /// Announces this node's invoices settled over the network (once each).
    func announceNetworkPayments() {
        guard let fakeNetwork, let settled = try? fakeNetwork.settledInvoices(node: nodeID) else { return }
        let fresh = state.withLock { s -> [PaymentHash] in
            var fresh = [PaymentHash]()
            for hex in settled where s.receivedPayments[hex] == nil {
                guard let hash = try? PaymentHash(hex: hex) else { continue }
                let amount = s.invoices[hash]?.amountMsat ?? 0
                s.received &+= amount
                s.receivedPayments[hex] = amount
                // Paid: no longer waits for its delay.
                s.scheduled.removeAll { $0.hash == hash }
                fresh.append(hash)
            }
            return fresh
        }
        guard !fresh.isEmpty else { return }
        try? persist()
        for hash in fresh { incoming.publish(hash) }
    }

    public func balanceMsat() async throws -> UInt64 {
        announceDue()
        return state.withLock { s in
            let (up, o) = settings.balanceMsat.addingReportingOverflow(s.received)
            return (o ? UInt64.max : up) >= s.spent ? (o ? UInt64.max : up) - s.spent : 0
        }
    }

    // MARK: Incoming

    public func createInvoice(amountMsat: UInt64, description: String?, expiry: UInt64) async throws -> CreatedInvoice {
        let preimage = SecureRandom.bytes(32)
        let hash = try PaymentHash(bytes: Array(SHA256.hash(data: preimage)))
        let invoice = try Invoice.Builder(
            network: settings.network, amountMsat: amountMsat, paymentHash: hash.bytes, paymentSecret: SecureRandom.bytes(32),
            description: description ?? "", expiry: expiry, features: FeatureBits.words(setting: [8, 14])
        ).sign(with: nodeKey)
        let now = Date().timeIntervalSince1970
        state.withLock { s in
            s.invoices[hash] = (now, Hex.encode(preimage), amountMsat)
            s.scheduled.append((now + settings.incomingDelay, hash))
        }
        if let fakeNetwork {
            do {
                try fakeNetwork.issue(hash: hash.hex, node: nodeID, amountMsat: amountMsat, preimage: Hex.encode(preimage), now: now)
            } catch {
                throw PaymentBackendError("the fake network is unusable: \(error)")
            }
        }
        // Paid at once: announced now rather than at the next tick of `run()`.
        if settings.incomingDelay <= 0 { announceDue(now: now) }
        return CreatedInvoice(bolt11: invoice.bolt11, paymentHash: hash)
    }

    public func invoiceStatus(_ hash: PaymentHash) async throws -> InvoiceStatus {
        if fakeNetwork != nil { announceNetworkPayments() }
        if state.withLock({ $0.receivedPayments[hash.hex] != nil }) { return .paid }
        let created = state.withLock { $0.invoices[hash]?.created }
        // Invoices issued before a restart are unknown to this process; like nutshell's fake wallet, treat every
        // invoice as paid once its delay has passed.
        guard let created else { return .paid }
        return Date().timeIntervalSince1970 >= created + settings.incomingDelay ? .paid : .unpaid
    }

    // MARK: Outgoing

    public func pay(invoice: Invoice, amountMsat: UInt64, maxFeeMsat: UInt64) async throws -> PaymentResult {
        let hash = invoice.paymentHashHex
        let feeMsat = min(settings.paymentFeeMsat, maxFeeMsat)
        if let fakeNetwork, settings.paymentOutcome == .paid {
            return try await payOverNetwork(fakeNetwork, invoice: invoice, amountMsat: amountMsat, feeMsat: feeMsat)
        }
        let payment = try record(hash) { s in
            let preimage = (try? PaymentHash(bytes: invoice.paymentHash)).flatMap { s.invoices[$0]?.preimage }
            let p = OutgoingPayment(
                outcome: settings.paymentOutcome.rawValue, resolvesAt: Date().timeIntervalSince1970 + settings.paymentDelay,
                feeMsat: feeMsat, amountMsat: amountMsat, preimage: preimage)
            if p.outcome == FakeLightningSettings.PaymentOutcome.paid.rawValue { s.spent &+= amountMsat &+ feeMsat }
            return p
        }
        try persist()
        if settings.paymentDelay > 0 {
            try await Task.sleep(for: .milliseconds(Int(settings.paymentDelay * 1000)))
        }
        return result(payment)
    }

    /// Records the payment `make` builds for `hash`, unless the node already paid or is paying that invoice (a
    /// failed payment may be tried again). A payment still out on the network is asked about first.
    func record(_ hash: String, _ make: (inout State) -> OutgoingPayment) throws -> OutgoingPayment {
        if state.withLock({ $0.payments[hash]?.outcome == Self.onNetwork }) { _ = networkResult(hash) }
        return try state.withLock { s in
            if let existing = s.payments[hash], existing.outcome != FakeLightningSettings.PaymentOutcome.failed.rawValue {
                throw CashuError(.invoiceAlreadyPaid, "the node already paid or is paying this invoice")
            }
            let p = make(&s)
            s.payments[hash] = p
            return p
        }
    }

    public func paymentStatus(_ hash: PaymentHash) async throws -> PaymentResult {
        guard let payment = state.withLock({ $0.payments[hash.hex] }) else { return .unknown }
        if payment.outcome == Self.onNetwork { return networkResult(hash.hex) }
        return result(payment)
    }

    /// Sends `amountMsat` of `invoice` (all of it, or a part) over the fake network and waits until the network
    /// settles or fails it.
    func payOverNetwork(_ network: FakeNetwork, invoice: Invoice, amountMsat: UInt64, feeMsat: UInt64) async throws -> PaymentResult {
        let hash = invoice.paymentHashHex
        _ = try record(hash) { _ in OutgoingPayment(outcome: Self.onNetwork, resolvesAt: 0, feeMsat: feeMsat, amountMsat: amountMsat, preimage: nil) }
        // On disk before it is sent: a restarted node asks the network about it.
        try persist()
        do {
            _ = try network.send(hash: hash, node: nodeID, amountMsat: amountMsat, totalMsat: invoice.amountMsat ?? amountMsat, now: Date().timeIntervalSince1970)
        } catch {
            state.withLock { s in s.payments[hash]?.outcome = FakeLightningSettings.PaymentOutcome.failed.rawValue }
            try? persist()
            return .failed(reason: "the fake network is unusable: \(error)")
        }
        let deadline = ContinuousClock.now + payTimeout
        while true {
            let result = networkResult(hash)
            if result != .pending || ContinuousClock.now >= deadline { return result }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// What the network says of this node's payment of `hash`; a final answer is recorded (and a paid one counted).
    func networkResult(_ hash: String) -> PaymentResult {
        guard let fakeNetwork, let answer = try? fakeNetwork.state(hash: hash, node: nodeID, now: Date().timeIntervalSince1970) else { return .pending }
        let outcome: FakeLightningSettings.PaymentOutcome
        switch answer.state {
        case .held: return .pending
        case .settled: outcome = .paid
        case .failed: outcome = .failed
        }
        let payment = state.withLock { s -> OutgoingPayment? in
            guard var p = s.payments[hash] else { return nil }
            if p.outcome == Self.onNetwork {
                p.outcome = outcome.rawValue
                p.preimage = answer.preimage
                s.payments[hash] = p
                if outcome == .paid { s.spent &+= (p.amountMsat ?? 0) &+ p.feeMsat }
            }
            return p
        }
        try? persist()
        guard let payment else { return .unknown }
        return result(payment)
    }

    func result(_ p: OutgoingPayment) -> PaymentResult {
        if Date().timeIntervalSince1970 < p.resolvesAt { return .pending }
        switch FakeLightningSettings.PaymentOutcome(rawValue: p.outcome) ?? .pending {
        case .paid: return .paid(feeMsat: p.feeMsat, preimage: p.preimage)
        case .failed: return .failed(reason: "fake node configured to fail payments")
        case .pending: return .pending
        }
    }

    func persist() throws {
        guard let stateFile else { return }
        // Written to a temporary file and renamed over the old one, under the lock (so that an older state never
        // overwrites a newer one): the payment is on disk before it is attempted.
        try state.withLock { s in
            try JSONEncoder().encode(SavedState(payments: s.payments, receivedMsat: s.received, spentMsat: s.spent, received: s.receivedPayments))
                .write(to: stateFile, options: .atomic)
        }
    }
}

extension FakeLightningBackend: PaymentHistory {
    /// The payments this node received (announced) and made, as its state file keeps them across restarts.
    public func payments() async throws -> [BackendPayment] {
        announceDue()
        let now = Date().timeIntervalSince1970
        return state.withLock { s in
            var list = [BackendPayment]()
            for (hex, amount) in s.receivedPayments {
                guard let hash = try? PaymentHash(hex: hex) else { continue }
                list.append(BackendPayment(direction: .incoming, paymentHash: hash, amountMsat: amount, feeMsat: 0, status: .succeeded))
            }
            for (hex, p) in s.payments {
                guard let hash = try? PaymentHash(hex: hex) else { continue }
                let outcome = FakeLightningSettings.PaymentOutcome(rawValue: p.outcome) ?? .pending
                let status: BackendPayment.Status =
                    now < p.resolvesAt ? .pending : (outcome == .paid ? .succeeded : outcome == .failed ? .failed : .pending)
                list.append(BackendPayment(direction: .outgoing, paymentHash: hash, amountMsat: p.amountMsat ?? 0, feeMsat: p.feeMsat, status: status))
            }
            return list
        }
    }
}
