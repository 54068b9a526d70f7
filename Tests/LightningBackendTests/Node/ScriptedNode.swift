import Bolt11
import Crypto
import Foundation
import Secp256k1
import Synchronization

/// A Lightning node the tests drive: its invoices and outgoing payments, what the network does with a payment,
/// and faults injected into its answers at each step. The wire faces (`LNbitsFace`, `LNDFace`, `CLNFace`) serve it
/// in each node's own JSON, so one scenario runs against every backend.
final class ScriptedNode: Sendable {
    /// The calls a fault can hit.
    enum Step: String, Sendable { case feeQuote, pay, status }

    /// What the answer becomes.
    enum Fault: String, Sendable, CaseIterable {
        /// The node's own error answer (it refused, or claims the payment failed).
        case refuse
        /// No answer within the client's timeout.
        case timeout
        /// HTTP 500 from something in front of the node.
        case http500
        /// A 200 whose body is not JSON.
        case garbage
        /// The connection closes without an answer.
        case drop
    }

    /// For `pay`: whether the fault comes before the node acts (nothing sent) or after (the payment went out).
    enum Moment: String, Sendable { case before, after }

    /// What the network does with a payment the node sends.
    enum Outcome: Sendable { case succeed, fail, hold }

    enum Status: Sendable { case inFlight, succeeded, failed }

    struct Attempt: Sendable {
        var status: Status
        var feeMsat: UInt64
    }

    struct Payment: Sendable {
        var amountMsat: UInt64
        var attempts: [Attempt]
        var latest: Status { attempts.last!.status }
    }

    struct InvoiceRecord: Sendable {
        var bolt11: String
        var amountMsat: UInt64
        var payIndex: UInt64
    }

    struct State: Sendable {
        var outcome: Outcome = .succeed
        var faults: [Step: (fault: Fault, moment: Moment, count: Int)] = [:]
        var invoices: [String: InvoiceRecord] = [:]
        /// Other nodes' invoices made for tests, by hash (what a route payment names only by its hash).
        var external: [String: String] = [:]
        var payments: [String: Payment] = [:]
        var payIndex: UInt64 = 0
        /// Payments the network carried (each a send that left the node).
        var sends = 0
        /// Sum of succeeded payments.
        var paidOutMsat: UInt64 = 0
    }

    let state = Mutex(State())
    /// Whether attempts are reported as made just now (`created_at`), rather than long ago.
    let recentAttempts = Mutex(false)
    let feeMsat: UInt64 = 1000
    let key = Scalar.random()
    /// How long a `timeout` fault keeps the caller waiting (beyond the client's timeout).
    let stall: Duration

    init(stall: Duration = .seconds(6)) { self.stall = stall }

    // MARK: Script

    func set(_ step: Step, _ fault: Fault, _ moment: Moment = .before, count: Int = 1) {
        state.withLock { $0.faults[step] = (fault, moment, count) }
    }

    func set(outcome: Outcome) { state.withLock { $0.outcome = outcome } }

    /// Takes the fault planned for `step`, if any is left.
    func take(_ step: Step) -> (fault: Fault, moment: Moment)? {
        state.withLock { s in
            guard let f = s.faults[step], f.count > 0 else { return nil }
            s.faults[step]!.count -= 1
            return (f.fault, f.moment)
        }
    }

    // MARK: Invoices (every invoice is paid at once by an outside payer)

    func createInvoice(amountMsat: UInt64) throws -> (bolt11: String, hash: String) {
        let hash = Array(SHA256.hash(data: Secp256k1.SecureRandom.bytes(32)))
        let bolt11 = try Invoice.Builder(amountMsat: amountMsat, paymentHash: hash, paymentSecret: Secp256k1.SecureRandom.bytes(32), description: "scripted")
            .sign(with: key).bolt11
        let hex = hash.map { String(format: "%02x", $0) }.joined()
        state.withLock { s in
            s.payIndex += 1
            s.invoices[hex] = InvoiceRecord(bolt11: bolt11, amountMsat: amountMsat, payIndex: s.payIndex)
        }
        return (bolt11, hex)
    }

    /// An invoice of some other node (what a wallet melts into): the node has no record of it.
    func externalInvoice(amountMsat: UInt64, expiry: UInt64? = nil) throws -> (bolt11: String, hash: String) {
        let hash = Array(SHA256.hash(data: Secp256k1.SecureRandom.bytes(32)))
        let bolt11 = try Invoice.Builder(
            amountMsat: amountMsat, paymentHash: hash, paymentSecret: Secp256k1.SecureRandom.bytes(32), description: "elsewhere", expiry: expiry
        ).sign(with: .random()).bolt11
        let hex = hash.map { String(format: "%02x", $0) }.joined()
        state.withLock { $0.external[hex] = bolt11 }
        return (bolt11, hex)
    }

    func invoice(_ hash: String) -> InvoiceRecord? { state.withLock { $0.invoices[hash] } }

    var lastPayIndex: UInt64 { state.withLock { $0.payIndex } }

    // MARK: Payments

    /// What the node does when asked to pay: refuses a hash it paid or is paying, otherwise sends.
    enum SendAnswer: Sendable {
        case sent(Status)
        case alreadyPaid
        case inFlight
        case bad(String)
    }

    /// `partMsat`: only that part of the invoice (a NUT-15 part), recorded as the payment's amount.
    func send(_ bolt11: String, partMsat: UInt64? = nil) -> SendAnswer {
        guard let invoice = try? Invoice(parsing: bolt11), let full = invoice.amountMsat else { return .bad("invalid invoice") }
        if let partMsat, partMsat == 0 || partMsat > full { return .bad("partial amount out of range") }
        let amount = partMsat ?? full
        let hash = invoice.paymentHash.map { String(format: "%02x", $0) }.joined()
        return state.withLock { s in
            if let p = s.payments[hash] {
                if p.latest == .succeeded { return .alreadyPaid }
                if p.latest == .inFlight { return .inFlight }
            }
            s.sends += 1
            let status: Status = switch s.outcome {
            case .succeed: .succeeded
            case .fail: .failed
            case .hold: .inFlight
            }
            if status == .succeeded { s.paidOutMsat += amount }
            s.payments[hash, default: Payment(amountMsat: amount, attempts: [])].attempts.append(Attempt(status: status, feeMsat: feeMsat))
            return .sent(status)
        }
    }

    /// Ends a held payment (the hold invoice settles or is cancelled).
    func resolve(_ hash: String, succeed: Bool) {
        state.withLock { s in
            guard var p = s.payments[hash], p.latest == .inFlight else { return }
            p.attempts[p.attempts.count - 1].status = succeed ? .succeeded : .failed
            if succeed { s.paidOutMsat += p.amountMsat }
            s.payments[hash] = p
        }
    }

    /// Records an earlier attempt of `hash` that failed (a stale FAILED for the status reader to skip).
    func recordFailedAttempt(_ hash: String, amountMsat: UInt64) {
        state.withLock { $0.payments[hash, default: Payment(amountMsat: amountMsat, attempts: [])].attempts.append(Attempt(status: .failed, feeMsat: 0)) }
    }

    func payment(_ hash: String) -> Payment? { state.withLock { $0.payments[hash] } }

    /// Waits while the payment of `hash` is held, up to `limit`.
    func waitWhileHeld(_ hash: String, limit: Duration) async {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end, payment(hash)?.latest == .inFlight {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    static func hash(ofInvoice bolt11: String) -> String? {
        (try? Invoice(parsing: bolt11))?.paymentHash.map { String(format: "%02x", $0) }.joined()
    }
}
