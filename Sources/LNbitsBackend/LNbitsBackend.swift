import Bolt11
import CashuCrypto
import CashuMint
import CashuProtocol
import Foundation
import Logging
import Synchronization

/// Lightning through an LNbits wallet (its REST API): the mint's invoices are the wallet's incoming payments, and
/// melts are paid from the wallet. LNbits pays an invoice once per payment hash, so asking it again is safe.
///
/// Incoming payments come through LNbits' websocket for the wallet when it is available, and are otherwise found by
/// polling the wallet's newest successful payments every `pollInterval`; `run()` does both. The poll is also the
/// health check (reconnection is the next poll, with backoff while LNbits is down), every 30 s while the websocket
/// is open. A quote check asks LNbits directly, so nothing depends on either.
public final class LNbitsBackend: PaymentBackend, Sendable {
    /// How to reach the wallet.
    public struct Settings: Sendable, CustomStringConvertible {
        /// The LNbits server, e.g. `https://lnbits.example.com`.
        public var url: String
        /// The wallet's admin key (it can pay).
        public var adminKey: String
        /// The BOLT11 prefix of the chain LNbits' funding source is on.
        public var network = "bc"
        /// Timeout of each call but paying.
        public var requestTimeout: Duration = .seconds(5)
        /// How long a payment call may take; past it the payment counts as in flight and is settled later.
        public var payTimeout: Duration = .seconds(60)
        /// How often incoming payments (and health) are polled.
        public var pollInterval: Duration = .seconds(1)

        public init(url: String, adminKey: String) {
            self.url = url
            self.adminKey = adminKey
        }

        /// Without the key (and without credentials in the URL).
        public var description: String { "LNbits(\(Self.redacted(url)), network \(network))" }

        /// `url` without user and password, for logs.
        static func redacted(_ url: String) -> String {
            guard var parts = URLComponents(string: url), parts.user != nil || parts.password != nil else { return url }
            parts.user = nil
            parts.password = nil
            return parts.string ?? "(url)"
        }
    }

    public let settings: Settings
    public let name = "lnbits"
    /// LNbits takes whole satoshi.
    public let units: Set<CurrencyUnit> = [.sat]
    public var network: String { settings.network }
    public let conversion = UnitConversion()
    public let incoming = IncomingPayments()
    public var payTimeout: Duration { settings.payTimeout }
    let client: LNbitsClient
    let logger: Logger

    struct State {
        /// Why LNbits counts as down (nil: it answers).
        var failure: PaymentBackendError? = PaymentBackendError("LNbits has not been reached yet")
        /// Calls in a row that timed out: LNbits serialises payments behind one lock, so one slow answer is not an
        /// outage; two are.
        var timeouts = 0
        /// The last call was answered 429 (the poll backs off).
        var rateLimited = false
        /// Incoming payments already announced (bounded: the newest `seenLimit`).
        var seen: Set<String> = []
        var seenOrder: [String] = []
    }

    let state = Mutex(State())
    let rateLimitLogged = Mutex(false)
    /// Whether LNbits' websocket is connected (the poll then only checks health, every `quietPollInterval`).
    let webSocketOpen = Mutex(false)
    /// How often the poll runs while the websocket brings incoming payments.
    static let quietPollInterval: Duration = .seconds(30)
    static let seenLimit = 10_000

    public init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.client = LNbitsClient(url: settings.url, key: settings.adminKey, timeout: settings.requestTimeout)
        self.logger = logger
    }

    // MARK: Lifecycle

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.followWebSocket() }
            await self.poll()
            group.cancelAll()
        }
    }

    /// Polls the wallet's newest payments (incoming payments and health): every `pollInterval`, or every
    /// `quietPollInterval` while the websocket is open; backing off while LNbits is down or rate-limiting.
    func poll() async {
        var backoff = settings.pollInterval
        var lastPoll = ContinuousClock.now - .seconds(3600)
        while !Task.isCancelled {
            // While the websocket is open and LNbits counts as up, the poll is only a safety net. While LNbits counts
            // as down, the poll runs (with its backoff): it is what brings LNbits back.
            if webSocketOpen.withLock({ $0 }), state.withLock({ $0.failure == nil }),
               ContinuousClock.now - lastPoll < max(settings.pollInterval, Self.quietPollInterval) {
                try? await Task.sleep(for: min(settings.pollInterval, .seconds(1)))
                continue
            }
            lastPoll = .now
            do {
                try await pollIncoming()
                let recovered = state.withLock { s -> Bool in
                    defer {
                        s.failure = nil
                        s.timeouts = 0
                    }
                    return s.failure != nil
                }
                if recovered { logger.info("LNbits answers", metadata: ["url": "\(Settings.redacted(settings.url))"]) }
                backoff = settings.pollInterval
            } catch {
                // `call` (or the poll itself) has marked LNbits down, or counted a first timeout, or LNbits asked the
                // mint to slow down: the polls back off.
                if state.withLock({ s in defer { s.rateLimited = false }; return s.failure != nil || s.rateLimited }) {
                    backoff = min(backoff * 2, .seconds(30))
                }
            }
            try? await Task.sleep(for: backoff)
        }
    }

    public func health() async -> PaymentBackendError? { state.withLock { $0.failure } }

    /// Announces incoming payments that succeeded and were not announced before.
    func pollIncoming() async throws {
        let answer = try await call {
            try await client.get("/api/v1/payments/paginated?limit=100&sortby=updated_at&direction=desc&status=success")
        }
        guard answer.status == 200 else {
            let reason = PaymentBackendError("LNbits answered the payment list with \(answer.detail)")
            markDown(reason)
            throw reason
        }
        let payments = answer.json["data"] as? [[String: Any]] ?? []
        announce(payments.compactMap { p in
            guard let amount = (p["amount"] as? NSNumber)?.int64Value, amount > 0, let hex = p["payment_hash"] as? String else { return nil }
            return try? PaymentHash(hex: hex.lowercased())
        })
    }

    /// Publishes the incoming payments not announced before (by the poll or the websocket).
    func announce(_ hashes: [PaymentHash]) {
        // Nobody listens yet (the mint is still starting): announce these at a later poll, when someone does.
        guard incoming.subscriberCount > 0 else { return }
        let fresh = state.withLock { s in
            hashes.filter { hash in
                guard s.seen.insert(hash.hex).inserted else { return false }
                s.seenOrder.append(hash.hex)
                if s.seenOrder.count > Self.seenLimit { s.seen.remove(s.seenOrder.removeFirst()) }
                return true
            }
        }
        for hash in fresh { incoming.publish(hash) }
    }

    public func balanceMsat() async throws -> UInt64 {
        let answer = try await call { try await client.get("/api/v1/wallet") }
        guard answer.status == 200, let balance = (answer.json["balance"] as? NSNumber)?.int64Value else {
            throw PaymentBackendError("LNbits answered the balance with \(answer.detail)")
        }
        return UInt64(max(0, balance))
    }

    // MARK: Incoming

    public func createInvoice(amountMsat: UInt64, description: String?, expiry: UInt64) async throws -> CreatedInvoice {
        guard amountMsat % 1000 == 0, amountMsat > 0 else { throw PaymentBackendError("LNbits invoices are for whole satoshi") }
        var body: [String: Any] = ["out": false, "amount": amountMsat / 1000, "unit": "sat", "expiry": min(expiry, UInt64(Int32.max))]
        body["memo"] = description ?? ""
        let answer = try await call { try await client.post("/api/v1/payments", body) }
        if [400, 422].contains(answer.status) {
            // LNbits refused this request (not an outage): the wallet's error, not 503.
            throw CashuError(.notAllowed, "the Lightning backend refused the invoice: \(answer.detail)")
        }
        guard (200..<300).contains(answer.status), let hex = answer.json["payment_hash"] as? String,
              let bolt11 = (answer.json["bolt11"] as? String) ?? (answer.json["payment_request"] as? String)
        else { throw PaymentBackendError("LNbits did not create the invoice: \(answer.detail)") }
        return CreatedInvoice(bolt11: bolt11, paymentHash: try PaymentHash(hex: hex.lowercased()))
    }

    public func invoiceStatus(_ hash: PaymentHash) async throws -> InvoiceStatus {
        let answer = try await call { try await client.get("/api/v1/payments/\(hash.hex)") }
        switch answer.status {
        case 200:
            if answer.json["paid"] as? Bool == true { return .paid }
            return answer.json["status"] as? String == "failed" ? .expired : .unpaid
        case 404: throw PaymentBackendError("LNbits does not know the invoice")
        default: throw PaymentBackendError("LNbits answered the invoice status with \(answer.detail)")
        }
    }

    // MARK: Outgoing

    public func pay(invoice: Invoice, amountMsat: UInt64, maxFeeMsat: UInt64) async throws -> PaymentResult {
        // LNbits pays an invoice's own amount, and only whole satoshi: anything else cannot be sent (nothing moved).
        guard let invoiceMsat = invoice.amountMsat, invoiceMsat == amountMsat else {
            return .failed(reason: "LNbits pays only invoices with an amount, in full")
        }
        let hash = try PaymentHash(bytes: invoice.paymentHash)
        // LNbits takes no fee limit: it routes with its own reserve. Above the quote's, nothing is sent.
        if let reserve = try await feeReserveMsat(invoice: invoice, amountMsat: amountMsat), reserve > maxFeeMsat {
            return .failed(reason: "LNbits' fee reserve (\(reserve) msat) is above the quote's (\(maxFeeMsat) msat)")
        }
        let answer: LNbitsClient.Answer
        do {
            answer = try await client.post("/api/v1/payments", ["out": true, "bolt11": invoice.bolt11], timeout: settings.payTimeout)
        } catch {
            // The call may or may not have reached LNbits: only its record can tell.
            logger.warning("LNbits payment call failed; the outcome will be asked", metadata: ["error": "\(error)"])
            do {
                return try await paymentStatus(hash)
            } catch {
                logger.warning("LNbits payment status unknown", metadata: ["error": "\(error)"])
                return .unknown
            }
        }
        if (200..<300).contains(answer.status), answer.json["status"] as? String == "success" { return Self.paid(answer.json) }
        // LNbits' own refusal: 520 with `status: failed`, or a 4xx with its `detail`. Only then does "no record"
        // prove that nothing was paid; after anything else (a proxy's 504, a 2xx saying pending) it proves nothing.
        // (429 comes from LNbits' rate limiter, before the payment is looked at.)
        let refused = (answer.status == 520 && answer.json["status"] as? String == "failed")
            || ([400, 401, 403, 422].contains(answer.status) && answer.json["detail"] != nil) || answer.status == 429
        return try await confirm(hash, said: answer.detail, refused: refused)
    }

    /// The payment's outcome by LNbits' record, after a pay call that did not report success: a "failed" that
    /// hides an earlier success must not release the inputs. No record at all means the payment was never made
    /// only when LNbits itself refused the call (`refused`).
    func confirm(_ hash: PaymentHash, said: String, refused: Bool) async throws -> PaymentResult {
        let answer = try await call { try await client.get("/api/v1/payments/\(hash.hex)") }
        switch answer.status {
        case 404: return refused ? .failed(reason: "LNbits did not pay: \(said)") : .unknown
        case 200: return Self.outgoing(answer.json, failure: said)
        default: return .unknown
        }
    }

    /// LNbits' own fee reserve for paying `invoice` (routing reserve plus any service fee), in msat.
    public func feeReserveMsat(invoice: Invoice, amountMsat: UInt64) async throws -> UInt64? {
        var query = URLComponents()
        query.queryItems = [URLQueryItem(name: "invoice", value: invoice.bolt11)]
        let answer = try await call { try await client.get("/api/v1/payments/fee-reserve" + (query.percentEncodedQuery.map { "?" + $0 } ?? "")) }
        guard answer.status == 200, let reserve = (answer.json["fee_reserve"] as? NSNumber)?.int64Value else {
            throw PaymentBackendError("LNbits answered the fee reserve with \(answer.detail)")
        }
        return UInt64(max(0, reserve))
    }

    public func paymentStatus(_ hash: PaymentHash) async throws -> PaymentResult {
        let answer = try await call { try await client.get("/api/v1/payments/\(hash.hex)") }
        switch answer.status {
        case 200: return Self.outgoing(answer.json, failure: "LNbits reports the payment failed")
        case 404: return .unknown
        default: throw PaymentBackendError("LNbits answered the payment status with \(answer.detail)")
        }
    }

    /// An outgoing payment's state from `GET /api/v1/payments/{hash}`.
    static func outgoing(_ json: [String: Any], failure: String) -> PaymentResult {
        if json["paid"] as? Bool == true {
            let details = json["details"] as? [String: Any] ?? [:]
            return paid(details.merging(["preimage": json["preimage"] ?? NSNull()]) { old, new in new is NSNull ? old : new })
        }
        switch json["status"] as? String {
        case "failed": return .failed(reason: failure)
        case "pending", nil: return .pending
        default: return .pending
        }
    }

    /// A successful payment: the fee (LNbits records outgoing fees as negative msat) and the preimage.
    static func paid(_ payment: [String: Any]) -> PaymentResult {
        let fee = (payment["fee"] as? NSNumber)?.int64Value ?? 0
        let preimage = (payment["preimage"] as? String).flatMap { $0.isEmpty || $0 == String(repeating: "0", count: 64) ? nil : $0 }
        return .paid(feeMsat: fee.magnitude, preimage: preimage)
    }

    /// A call whose transport failure becomes a `PaymentBackendError` and marks LNbits unavailable at once (not
    /// only at the next poll), so that the next quote is refused without waiting.
    func call(_ body: () async throws -> LNbitsClient.Answer) async throws -> LNbitsClient.Answer {
        do {
            let answer = try await body()
            state.withLock { $0.timeouts = 0 }
            if answer.status == 429 {
                // LNbits' rate limit (200 requests a minute per address by default): busy, not down. The poll
                // backs off; the caller gets "unavailable", which a wallet retries.
                state.withLock { $0.rateLimited = true }
                let logged = rateLimitLogged.withLock { logged -> Bool in
                    defer { logged = true }
                    return logged
                }
                if !logged {
                    logger.error("LNbits is rate-limiting the mint (HTTP 429): raise LNbits' rate limit for the mint's address")
                }
                throw PaymentBackendError("LNbits is rate-limiting the mint (HTTP 429)")
            }
            return answer
        } catch let error as LNbitsClientError {
            let reason = PaymentBackendError(error.description)
            let down = state.withLock { s -> Bool in
                if error.timedOut {
                    s.timeouts += 1
                    return s.timeouts >= 2
                }
                return true
            }
            if down { markDown(reason) }
            throw reason
        }
    }

    /// Marks LNbits down (logged once per outage): quotes and melts are refused until a poll succeeds.
    func markDown(_ reason: PaymentBackendError) {
        let changed = state.withLock { s -> Bool in
            defer { s.failure = reason }
            return s.failure == nil
        }
        if changed { logger.warning("LNbits is unavailable; retrying", metadata: ["error": "\(reason)"]) }
    }
}

extension LNbitsBackend: PaymentHistory {
    /// The wallet's payments from `GET /api/v1/payments/paginated`, 500 at a time, oldest first. LNbits records an
    /// outgoing payment with a negative amount and fee (msat); its status is `success`, `pending` or `failed`.
    public func payments() async throws -> [BackendPayment] {
        var list = [BackendPayment]()
        var offset = 0
        while true {
            let answer = try await call {
                try await client.get("/api/v1/payments/paginated?limit=500&offset=\(offset)&sortby=time&direction=asc")
            }
            guard answer.status == 200 else { throw PaymentBackendError("LNbits answered the payment list with \(answer.detail)") }
            let page = answer.json["data"] as? [[String: Any]] ?? []
            for p in page {
                guard let hex = p["payment_hash"] as? String, let hash = try? PaymentHash(hex: hex.lowercased()),
                      let amount = (p["amount"] as? NSNumber)?.int64Value
                else { continue }
                let fee = (p["fee"] as? NSNumber)?.int64Value ?? 0
                let status: BackendPayment.Status =
                    switch p["status"] as? String {
                    case "success": .succeeded
                    case "failed": .failed
                    default: .pending
                    }
                list.append(BackendPayment(
                    direction: amount < 0 ? .outgoing : .incoming, paymentHash: hash, amountMsat: amount.magnitude, feeMsat: fee.magnitude, status: status))
            }
            if page.count < 500 { break }
            offset += page.count
        }
        return list
    }
}
