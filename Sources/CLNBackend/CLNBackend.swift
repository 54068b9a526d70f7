import Bolt11
import CashuCrypto
import Secp256k1
import CashuMint
import CashuProtocol
import Foundation
import LightningNodeHTTP
import Logging
import Synchronization

/// Lightning through a Core Lightning node's REST API (clnrest): every call is `POST /v1/<method>` with JSON
/// parameters and the rune in the `Rune` header, over TLS with the node's certificate.
///
/// - Invoices: `invoice`, `listinvoices`, and `waitanyinvoice` (long-polled from the last `pay_index`) for
///   incoming payments.
/// - Payments: `xpay` (falling back to `pay` on nodes without it; `partial_msat` for a NUT-15 part), `listpays` for
///   the record. Core Lightning
///   pays a payment hash at most once, so sending again is safe.
/// - Health and balance: `listfunds` (the channels' `our_amount_msat`).
public final class CLNBackend: PaymentBackend, Sendable {
    public struct Settings: Sendable, CustomStringConvertible {
        /// clnrest's endpoint, e.g. `https://127.0.0.1:3010`.
        public var url: String
        public var rune: String
        /// clnrest's certificate (PEM, or the CA that signed it); nil trusts the system's roots.
        public var certificateFile: String?
        public var network = "bc"
        public var requestTimeout: Duration = .seconds(10)
        /// How long a payment call may take (`retry_for` is 80 % of it); a payment still in flight then is PENDING
        /// and settled later.
        public var payTimeout: Duration = .seconds(60)
        public var healthInterval: Duration = .seconds(5)

        public init(url: String, rune: String) {
            self.url = url
            self.rune = rune
        }

        public var description: String { "CLN(\(NodeHTTPClient.redacted(url)), network \(network))" }
    }

    public let settings: Settings
    public let name = "cln"
    public let units: Set<CurrencyUnit> = [.sat]
    /// `xpay` and `pay` take `partial_msat`: this node pays its part, the receiver collects the others (NUT-15).
    public var paysMultiPath: Bool { true }
    public var network: String { settings.network }
    public let conversion = UnitConversion()
    public let incoming = IncomingPayments()
    public var payTimeout: Duration { settings.payTimeout }
    let client: NodeHTTPClient
    let health: NodeHealth
    let logger: Logger
    /// Whether the node has `xpay` (unknown until the first payment).
    let hasXpay = Mutex<Bool?>(nil)

    public init(settings: Settings, logger: Logger) throws {
        self.settings = settings
        client = try NodeHTTPClient(url: settings.url, authHeader: ("Rune", settings.rune), certificateFile: settings.certificateFile, timeout: settings.requestTimeout)
        health = NodeHealth(node: "Core Lightning", logger: logger)
        self.logger = logger
    }

    // MARK: Lifecycle

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.checkHealth() }
            group.addTask { await self.followInvoices() }
            await group.waitForAll()
        }
    }

    public func health() async -> PaymentBackendError? { health.current }

    func checkHealth() async {
        while !Task.isCancelled {
            _ = try? await balanceMsat()
            try? await Task.sleep(for: settings.healthInterval)
        }
    }

    /// Long-polls `waitanyinvoice`: at first without `lastpay_index` (the next invoice paid from now on; those paid
    /// before are found by quote checks, which ask the node), then from the last `pay_index` seen, so that nothing
    /// paid between two polls is missed. Never lists every invoice (a busy node has too many).
    func followInvoices() async {
        var lastPayIndex: UInt64?
        var backoff = settings.healthInterval
        while !Task.isCancelled {
            do {
                let wait = 30
                var params: [String: Any] = ["timeout": wait]
                if let lastPayIndex { params["lastpay_index"] = lastPayIndex }
                let answer: NodeAnswer
                do {
                    answer = try await rpc("waitanyinvoice", params, timeout: .seconds(wait + 15), marksHealth: false)
                } catch let error as CLNRefusal where error.code == 904 {
                    continue  // timed out: nothing paid meanwhile
                }
                backoff = settings.healthInterval
                if let index = NodeJSON.uint(answer.json["pay_index"]) { lastPayIndex = max(lastPayIndex ?? 0, index) }
                if answer.json["status"] as? String == "paid", let hex = answer.json["payment_hash"] as? String, let hash = try? PaymentHash(hex: hex.lowercased()) {
                    incoming.publish(hash)
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("Core Lightning's invoice wait failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(60))
            }
        }
    }

    public func balanceMsat() async throws -> UInt64 {
        let answer = try await rpc("listfunds", [:])
        guard let channels = answer.json["channels"] as? [[String: Any]] else { throw PaymentBackendError("Core Lightning's listfunds is unreadable") }
        // What the node can pay with: open channels (splicing ones too), not channels being opened or closed.
        let usable: Set<String> = ["CHANNELD_NORMAL", "CHANNELD_AWAITING_SPLICE"]
        return channels.filter { usable.contains($0["state"] as? String ?? "") }.reduce(0) { sum, c in sum &+ (NodeJSON.uint(c["our_amount_msat"]) ?? 0) }
    }

    // MARK: Incoming

    public func createInvoice(amountMsat: UInt64, description: String?, expiry: UInt64) async throws -> CreatedInvoice {
        let label = "cashew-" + SecureRandom.bytes(16).map { String(format: "%02x", $0) }.joined()
        let answer: NodeAnswer
        do {
            answer = try await rpc("invoice", ["amount_msat": amountMsat, "label": label, "description": description ?? "", "expiry": min(expiry, UInt64(Int32.max))])
        } catch let error as CLNRefusal where error.code == -32602 {
            throw CashuError(.notAllowed, "the Lightning backend refused the invoice: \(error.message)")
        }
        guard let bolt11 = answer.json["bolt11"] as? String, let hex = answer.json["payment_hash"] as? String else {
            throw PaymentBackendError("Core Lightning's invoice is unreadable")
        }
        return CreatedInvoice(bolt11: bolt11, paymentHash: try PaymentHash(hex: hex.lowercased()))
    }

    public func invoiceStatus(_ hash: PaymentHash) async throws -> InvoiceStatus {
        let answer = try await rpc("listinvoices", ["payment_hash": hash.hex])
        guard let invoice = (answer.json["invoices"] as? [[String: Any]])?.first else { throw PaymentBackendError("Core Lightning does not know the invoice") }
        switch invoice["status"] as? String {
        case "paid": return .paid
        case "expired": return .expired
        case "unpaid": return .unpaid
        default: throw PaymentBackendError("Core Lightning's invoice status is unreadable")
        }
    }

    // MARK: Outgoing

    public func pay(invoice: Invoice, amountMsat: UInt64, maxFeeMsat: UInt64) async throws -> PaymentResult {
        guard let invoiceMsat = invoice.amountMsat, amountMsat > 0, amountMsat <= invoiceMsat else {
            return .failed(reason: "only invoices with an amount are paid, in full or in part")
        }
        // NUT-15: this node's part of a multi-path payment (`partial_msat`, which `xpay` and `pay` both take).
        let partial: [String: Any] = amountMsat < invoiceMsat ? ["partial_msat": amountMsat] : [:]
        let hash = try PaymentHash(bytes: invoice.paymentHash)
        // Core Lightning stops retrying after `retry_for`, a little before the call's own limit; a payment still in
        // flight at the limit (a hold invoice) is PENDING and settled later from `listpays`.
        let retryFor = max(1, Int(Double(settings.payTimeout.components.seconds) * 0.8))
        var said = "no answer"
        var refused = false
        do {
            let answer: NodeAnswer
            if hasXpay.withLock({ $0 }) != false {
                do {
                    answer = try await rpc(
                        "xpay", ["invstring": invoice.bolt11, "maxfee": maxFeeMsat, "retry_for": retryFor].merging(partial) { a, _ in a }, timeout: settings.payTimeout)
                    hasXpay.withLock { $0 = true }
                } catch let error as CLNRefusal where error.code == -32601 {
                    // No xpay (before v24.11, or disabled): `pay`, whose answer has the same shape.
                    hasXpay.withLock { $0 = false }
                    answer = try await payWithPay(invoice, maxFeeMsat, retryFor, partial)
                }
            } else {
                answer = try await payWithPay(invoice, maxFeeMsat, retryFor, partial)
            }
            if answer.json["status"] as? String != "pending", let preimage = answer.json["payment_preimage"] as? String {
                return .paid(feeMsat: Self.fee(answer.json), preimage: preimage)
            }
            said = "pending"
        } catch let error as CLNRefusal {
            // The node's own error (200: in progress; 201–210: it did not pay; -1: anything): its record decides,
            // and with no record at all nothing was sent.
            said = "Core Lightning \(error.code): \(error.message)"
            refused = error.code != 200
        } catch {
            logger.warning("Core Lightning payment call failed; the outcome will be asked", metadata: ["error": "\(error)"])
            said = "\(error)"
        }
        do {
            // Only when the node answered the call itself has it stopped trying; otherwise (a timeout, a lost
            // answer) `xpay` may still be at work.
            switch try await listpays(hash, failuresAreFinal: refused) {
            case .unknown: return refused ? .failed(reason: "Core Lightning did not pay: \(said)") : .unknown
            case let other: return other
            }
        } catch {
            logger.warning("Core Lightning payment status unknown", metadata: ["error": "\(error)"])
            return .unknown
        }
    }

    func payWithPay(_ invoice: Invoice, _ maxFeeMsat: UInt64, _ retryFor: Int, _ partial: [String: Any]) async throws -> NodeAnswer {
        try await rpc("pay", ["bolt11": invoice.bolt11, "maxfee": maxFeeMsat, "retry_for": retryFor].merging(partial) { a, _ in a }, timeout: settings.payTimeout)
    }

    /// By `listpays`: complete if any attempt completed, pending if one is in flight, failed only if every attempt
    /// failed; unknown when there is none.
    public func paymentStatus(_ hash: PaymentHash) async throws -> PaymentResult {
        try await listpays(hash, failuresAreFinal: false)
    }

    /// `failuresAreFinal`: the caller's own `xpay`/`pay` call has returned, so the node has stopped trying. Otherwise
    /// "every attempt failed" is believed only once the newest attempt is older than the pay timeout: before Core
    /// Lightning 26.06, `listpays` shows an `xpay` payment as failed between two attempts, while `xpay` is still
    /// looking for the next route, and releasing the inputs then would let the payment go out afterwards.
    func listpays(_ hash: PaymentHash, failuresAreFinal: Bool) async throws -> PaymentResult {
        let answer = try await rpc("listpays", ["payment_hash": hash.hex])
        guard let pays = answer.json["pays"] as? [[String: Any]] else { throw PaymentBackendError("Core Lightning's listpays is unreadable") }
        if let done = pays.first(where: { $0["status"] as? String == "complete" }) {
            return .paid(feeMsat: Self.fee(done), preimage: (done["preimage"] as? String) ?? (done["payment_preimage"] as? String))
        }
        if pays.contains(where: { $0["status"] as? String == "pending" }) { return .pending }
        if pays.isEmpty { return .unknown }
        guard pays.allSatisfy({ $0["status"] as? String == "failed" }) else { throw PaymentBackendError("Core Lightning's payment status is unreadable") }
        if !failuresAreFinal {
            let newest = pays.compactMap { NodeJSON.uint($0["created_at"]) }.max() ?? UInt64.max
            let now = UInt64(Date().timeIntervalSince1970)
            let settled = UInt64(settings.payTimeout.components.seconds) + 60
            guard newest <= now, now - newest > settled else { return .pending }
        }
        return .failed(reason: "Core Lightning: every attempt failed")
    }

    static func fee(_ json: [String: Any]) -> UInt64 {
        guard let sent = NodeJSON.uint(json["amount_sent_msat"]), let amount = NodeJSON.uint(json["amount_msat"]), sent >= amount else { return 0 }
        return sent - amount
    }

    // MARK: Calls

    /// One RPC: the answer when the node gives a result; `CLNRefusal` when it gives its own error; a
    /// `PaymentBackendError` (the node marked down) when it cannot be reached or answers something else.
    func rpc(_ method: String, _ params: [String: Any], timeout: Duration? = nil, marksHealth: Bool = true) async throws -> NodeAnswer {
        let answer: NodeAnswer
        do {
            answer = try await client.post("/v1/\(method)", params, timeout: timeout)
        } catch let error as NodeCallError {
            let reason = PaymentBackendError("Core Lightning: \(error.description)")
            // A payment that outlasts its call (a hold invoice) says nothing about the node's health.
            if marksHealth, !(error.timedOut && ["xpay", "pay"].contains(method)) { health.down(reason) }
            throw reason
        }
        if let code = Self.rpcError(answer) {
            let message = (answer.json["message"] as? String).map { String($0.prefix(200)) } ?? ""
            // The rune refused (1501/1502, HTTP 401/403): the node cannot be used until the operator fixes it.
            if [1501, 1502].contains(code) || [401, 403].contains(answer.status) {
                let reason = PaymentBackendError("Core Lightning refused the rune for \(method): \(message)")
                health.down(reason)
                throw reason
            }
            if marksHealth { health.up() }
            throw CLNRefusal(code: code, message: message)
        }
        guard answer.ok, !answer.json.isEmpty else {
            let reason = PaymentBackendError("Core Lightning answered \(method) with \(answer.detail)")
            if answer.status >= 500 || answer.status == 401 || answer.status == 403 { health.down(reason) }
            throw reason
        }
        health.up()
        return answer
    }

    /// The JSON-RPC error code of Core Lightning's error answer (`{"code": n, "message": ...}`), if it is one.
    static func rpcError(_ answer: NodeAnswer) -> Int? {
        guard answer.json["message"] is String, let code = answer.json["code"] as? NSNumber, answer.json["payment_hash"] == nil else { return nil }
        return code.intValue
    }
}

/// Core Lightning answered with its own error.
struct CLNRefusal: Error, CustomStringConvertible {
    let code: Int
    let message: String
    var description: String { "Core Lightning error \(code): \(message)" }
}

extension CLNBackend: PaymentHistory {
    /// Every invoice (`listinvoices`: paid is a succeeded incoming payment of `amount_received_msat`, expired a
    /// failed one) and every payment attempt (`listpays`: complete, failed or pending, the fee being
    /// `amount_sent_msat − amount_msat`); the auditor takes a hash's succeeded attempt over its failed ones.
    public func payments() async throws -> [BackendPayment] {
        var list = [BackendPayment]()
        let invoices = try await rpc("listinvoices", [:])
        guard let all = invoices.json["invoices"] as? [[String: Any]] else { throw PaymentBackendError("Core Lightning's listinvoices is unreadable") }
        for i in all {
            guard let hex = i["payment_hash"] as? String, let hash = try? PaymentHash(hex: hex.lowercased()) else { continue }
            let status: BackendPayment.Status =
                switch i["status"] as? String {
                case "paid": .succeeded
                case "expired": .failed
                default: .pending
                }
            let amount = (status == .succeeded ? NodeJSON.uint(i["amount_received_msat"]) : nil) ?? NodeJSON.uint(i["amount_msat"]) ?? 0
            list.append(BackendPayment(direction: .incoming, paymentHash: hash, amountMsat: amount, feeMsat: 0, status: status))
        }
        let pays = try await rpc("listpays", [:])
        guard let attempts = pays.json["pays"] as? [[String: Any]] else { throw PaymentBackendError("Core Lightning's listpays is unreadable") }
        for p in attempts {
            guard let hex = p["payment_hash"] as? String, let hash = try? PaymentHash(hex: hex.lowercased()) else { continue }
            let status: BackendPayment.Status =
                switch p["status"] as? String {
                case "complete": .succeeded
                case "failed": .failed
                default: .pending
                }
            list.append(BackendPayment(
                direction: .outgoing, paymentHash: hash, amountMsat: NodeJSON.uint(p["amount_msat"]) ?? 0, feeMsat: Self.fee(p), status: status))
        }
        return list
    }
}
