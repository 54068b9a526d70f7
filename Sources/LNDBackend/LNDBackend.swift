import Bolt11
import CashuCrypto
import CashuMint
import CashuProtocol
import Foundation
import LightningNodeHTTP
import Logging
import Synchronization

/// Lightning through an LND node's REST API (v0.18 and later), with the macaroon in `Grpc-Metadata-macaroon` and
/// TLS with the node's own certificate.
///
/// - Invoices: `POST /v1/invoices`, `GET /v1/invoice/{r_hash}`, and `GET /v1/invoices/subscribe` (a stream,
///   resumed after a reconnect from the last `settle_index` seen) for incoming payments.
/// - Payments: `POST /v2/router/send` (a stream, with `fee_limit_msat` and `timeout_seconds`), and
///   `GET /v2/router/track/{hash}` for the record. A NUT-15 part: QueryRoutes and SendToRouteV2 with an MPP record. LND pays a payment hash at most once (a second send is refused
///   while one is in flight or after it succeeded), so sending again is safe.
/// - Health and balance: `GET /v1/balance/channels`.
public final class LNDBackend: PaymentBackend, Sendable {
    public struct Settings: Sendable, CustomStringConvertible {
        /// The REST endpoint, e.g. `https://127.0.0.1:8080`.
        public var url: String
        /// The macaroon, hex.
        public var macaroonHex: String
        /// The node's TLS certificate (PEM); nil trusts the system's roots.
        public var certificateFile: String?
        public var network = "bc"
        public var requestTimeout: Duration = .seconds(10)
        /// How long a payment call may take (LND's `timeout_seconds` is 80 % of it); a payment still in flight then
        /// is PENDING and settled later.
        public var payTimeout: Duration = .seconds(60)
        /// How often LND's health is checked (and the invoice stream re-opened at most, while it fails).
        public var healthInterval: Duration = .seconds(5)

        public init(url: String, macaroonHex: String) {
            self.url = url
            self.macaroonHex = macaroonHex
        }

        public var description: String { "LND(\(NodeHTTPClient.redacted(url)), network \(network))" }
    }

    public let settings: Settings
    public let name = "lnd"
    public let units: Set<CurrencyUnit> = [.sat]
    /// A part of an invoice is paid as one MPP shard over a route LND finds (NUT-15).
    public var paysMultiPath: Bool { true }
    public var network: String { settings.network }
    public let conversion = UnitConversion()
    public let incoming = IncomingPayments()
    public var payTimeout: Duration { settings.payTimeout }
    let client: NodeHTTPClient
    let health: NodeHealth
    let logger: Logger
    /// The highest `settle_index` of an invoice seen settled on the stream: a reconnect resumes after it.
    let settleIndex = Mutex<UInt64>(0)

    public init(settings: Settings, logger: Logger) throws {
        self.settings = settings
        client = try NodeHTTPClient(
            url: settings.url, authHeader: ("Grpc-Metadata-macaroon", settings.macaroonHex), certificateFile: settings.certificateFile,
            timeout: settings.requestTimeout)
        health = NodeHealth(node: "LND", logger: logger)
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

    /// Follows the invoice stream, re-opening it with backoff when it ends or fails.
    func followInvoices() async {
        var backoff = settings.healthInterval
        while !Task.isCancelled {
            let opened = ContinuousClock.now
            do {
                let index = settleIndex.withLock { $0 }
                let path = "/v1/invoices/subscribe" + (index > 0 ? "?settle_index=\(index)" : "")
                let _: Bool? = try await client.stream(.GET, path, body: nil, timeout: nil) { line in
                    guard line.ok else { throw PaymentBackendError("LND refused the invoice stream: \(line.detail)") }
                    if let error = line.json["error"] as? [String: Any] {
                        throw PaymentBackendError("LND's invoice stream failed: \(error["message"] as? String ?? "error")")
                    }
                    backoff = self.settings.healthInterval
                    if let invoice = line.json["result"] as? [String: Any], invoice["state"] as? String == "SETTLED",
                       let rHash = (invoice["r_hash"] as? String).flatMap(Self.bytes(base64:)), let hash = try? PaymentHash(bytes: rHash) {
                        if let i = NodeJSON.uint(invoice["settle_index"]) { self.settleIndex.withLock { $0 = max($0, i) } }
                        self.incoming.publish(hash)
                    }
                    return nil
                }
            } catch {
                if !Task.isCancelled { logger.warning("LND's invoice stream ended; reconnecting", metadata: ["error": "\(error)"]) }
            }
            // A stream that lasted was a working connection: start the backoff again.
            if ContinuousClock.now - opened > .seconds(30) { backoff = settings.healthInterval }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(60))
        }
    }

    public func balanceMsat() async throws -> UInt64 {
        let answer = try await call { try await client.get("/v1/balance/channels") }
        guard answer.ok else { throw unavailable("the balance", answer) }
        let local = answer.json["local_balance"] as? [String: Any]
        if let msat = NodeJSON.uint(local?["msat"]) { return msat }
        guard let sat = NodeJSON.uint(answer.json["balance"]) else { throw PaymentBackendError("LND's balance is unreadable") }
        return sat.multipliedReportingOverflow(by: 1000).partialValue
    }

    // MARK: Incoming

    public func createInvoice(amountMsat: UInt64, description: String?, expiry: UInt64) async throws -> CreatedInvoice {
        let body: [String: Any] = ["value_msat": String(amountMsat), "memo": description ?? "", "expiry": String(min(expiry, UInt64(Int32.max)))]
        let answer = try await call { try await client.post("/v1/invoices", body) }
        if !answer.ok, Self.grpcCode(answer.json) == 3 {
            throw CashuError(.notAllowed, "the Lightning backend refused the invoice: \(answer.detail)")
        }
        guard answer.ok, let bolt11 = answer.json["payment_request"] as? String,
              let rHash = (answer.json["r_hash"] as? String).flatMap(Self.bytes(base64:))
        else { throw unavailable("the invoice", answer) }
        return CreatedInvoice(bolt11: bolt11, paymentHash: try PaymentHash(bytes: rHash))
    }

    public func invoiceStatus(_ hash: PaymentHash) async throws -> InvoiceStatus {
        let answer = try await call { try await client.get("/v1/invoice/\(hash.hex)") }
        guard answer.ok else { throw unavailable("the invoice status", answer) }
        switch answer.json["state"] as? String {
        case "SETTLED": return .paid
        case "CANCELED": return .expired
        case "OPEN", "ACCEPTED": return .unpaid
        default: throw PaymentBackendError("LND's invoice state is unreadable")
        }
    }

    // MARK: Outgoing

    public func pay(invoice: Invoice, amountMsat: UInt64, maxFeeMsat: UInt64) async throws -> PaymentResult {
        guard let invoiceMsat = invoice.amountMsat, amountMsat > 0, amountMsat <= invoiceMsat else {
            return .failed(reason: "only invoices with an amount are paid, in full or in part")
        }
        let hash = try PaymentHash(bytes: invoice.paymentHash)
        if amountMsat < invoiceMsat { return await payPart(invoice, hash: hash, totalMsat: invoiceMsat, amountMsat: amountMsat, maxFeeMsat: maxFeeMsat) }
        // LND gives up path finding after `timeout_seconds`, a little before the call's own limit; a payment still in
        // flight at the limit (a hold invoice) is PENDING and settled later from the record.
        let seconds = max(1, Int(Double(settings.payTimeout.components.seconds) * 0.8))
        let body: [String: Any] = [
            "payment_request": invoice.bolt11, "fee_limit_msat": String(maxFeeMsat), "timeout_seconds": seconds, "no_inflight_updates": true,
        ]
        var said = "no answer"
        var refused = false
        do {
            let outcome: PaymentResult? = try await client.stream(.POST, "/v2/router/send", body: body, timeout: settings.payTimeout) { line in
                if let payment = line.json["result"] as? [String: Any] {
                    let result = Self.payment(payment)
                    switch result {
                    case .paid: return result
                    case .pending, .unknown: return nil
                    case .failed:
                        said = "LND: \(payment["failure_reason"] as? String ?? "FAILED")"
                        return .failed(reason: said)
                    }
                }
                said = line.detail
                // LND's own refusal (a gRPC status in its JSON, from LND rather than a proxy): before anything
                // is sent, unless its record says otherwise.
                refused = Self.refusal(line.json)
                return .unknown
            }
            health.up()
            if case .paid = outcome { return outcome! }
        } catch {
            // The call may or may not have reached LND: only its record can tell.
            logger.warning("LND payment call failed; the outcome will be asked", metadata: ["error": "\(error)"])
            said = "\(error)"
        }
        return await settledFromRecord(hash, refused: refused, reason: "LND did not pay: \(said)")
    }

    /// What a payment that did not report success came to, from LND's record: a failure reported for a hash that
    /// another attempt paid must not release the inputs, and only LND's own refusal (`refused`) with no record
    /// proves nothing was sent. No answer about the record is `.unknown`.
    func settledFromRecord(_ hash: PaymentHash, refused: Bool, reason: String) async -> PaymentResult {
        do {
            switch try await paymentStatus(hash) {
            case .unknown: return refused ? .failed(reason: reason) : .unknown
            case let other: return other
            }
        } catch {
            logger.warning("LND payment status unknown", metadata: ["error": "\(error)"])
            return .unknown
        }
    }

    /// NUT-15: pays `amountMsat` of the invoice as this node's shard of a multi-path payment, as nutshell does: a route
    /// for the part from QueryRoutes (`POST /v1/graph/routes/{payee}/{sat}`, within the fee limit, the invoice's
    /// final CLTV delta), the MPP record (the invoice's payment address and total) on its last hop, then
    /// SendToRouteV2 (`POST /v2/router/route/send`), which returns when the receiver settles or fails the shard.
    /// Anything but success is checked against LND's record, as for a whole payment.
    func payPart(_ invoice: Invoice, hash: PaymentHash, totalMsat: UInt64, amountMsat: UInt64, maxFeeMsat: UInt64) async -> PaymentResult {
        // QueryRoutes takes whole sat in its path; a route for another amount would pay the wrong part.
        guard amountMsat % 1000 == 0 else { return .failed(reason: "LND routes a part in whole sat, not \(amountMsat) msat") }
        guard let secret = invoice.paymentSecret else { return .failed(reason: "the invoice has no payment secret, which a multi-path payment needs") }
        let query: [String: Any] = [
            "fee_limit": ["fixed_msat": String(maxFeeMsat)], "use_mission_control": true, "final_cltv_delta": Int(min(invoice.minFinalCltvExpiry, 10_000)),
        ]
        let answer: NodeAnswer
        do {
            answer = try await call { try await client.post("/v1/graph/routes/\(invoice.payee.hex)/\(amountMsat / 1000)", query) }
        } catch {
            // QueryRoutes sends nothing: whatever became of the call, no money moved.
            return .failed(reason: "LND found no route: \(error)")
        }
        guard answer.ok, var route = (answer.json["routes"] as? [[String: Any]])?.first, var hops = route["hops"] as? [[String: Any]], !hops.isEmpty else {
            return .failed(reason: "LND found no route for the part: \(answer.detail)")
        }
        hops[hops.count - 1]["mpp_record"] = ["payment_addr": Data(secret).base64EncodedString(), "total_amt_msat": String(totalMsat)]
        route["hops"] = hops
        var said = "no answer"
        var refused = false
        do {
            let sent = try await client.post(
                "/v2/router/route/send", ["payment_hash": Data(hash.bytes).base64EncodedString(), "route": route], timeout: settings.payTimeout)
            health.up()
            if sent.ok, sent.json["status"] as? String == "SUCCEEDED" {
                let preimage = (sent.json["preimage"] as? String).flatMap(Self.bytes(base64:)).map { $0.map { String(format: "%02x", $0) }.joined() }
                let fee = NodeJSON.uint((sent.json["route"] as? [String: Any])?["total_fees_msat"]) ?? 0
                return .paid(feeMsat: fee, preimage: preimage)
            }
            said = sent.ok ? "LND: shard \(sent.json["status"] as? String ?? "?")" : sent.detail
            refused = !sent.ok && Self.refusal(sent.json)
        } catch {
            logger.warning("LND shard call failed; the outcome will be asked", metadata: ["error": "\(error)"])
            said = "\(error)"
        }
        return await settledFromRecord(hash, refused: refused, reason: "LND did not pay the part: \(said)")
    }

    public func paymentStatus(_ hash: PaymentHash) async throws -> PaymentResult {
        let path = "/v2/router/track/\(Self.base64URL(hash.bytes))"
        // The first update is the payment's current state; later ones are not waited for.
        let result: PaymentResult? = try await call {
            try await client.stream(.GET, path, body: nil, timeout: settings.requestTimeout) { line -> PaymentResult? in
                if let payment = line.json["result"] as? [String: Any] {
                    // A record in a state this code does not know is not "no record": it must not cause a second send.
                    let result = Self.payment(payment)
                    guard result != .unknown else { throw PaymentBackendError("LND's payment record has an unknown status") }
                    return result
                }
                // NotFound with LND's own words ("payment isn't initiated"): no record. A NotFound of something in
                // front of LND (a route it does not serve) says nothing.
                if Self.grpcCode(line.json) == 5, line.detail.contains("initiated") { return .unknown }
                throw PaymentBackendError("LND answered the payment status with \(line.detail)")
            }
        }
        guard let result else { throw PaymentBackendError("LND's payment stream ended without a state") }
        return result
    }

    /// A payment update of `/v2/router/send` or `/v2/router/track`.
    static func payment(_ p: [String: Any]) -> PaymentResult {
        switch p["status"] as? String {
        case "SUCCEEDED":
            let preimage = (p["payment_preimage"] as? String).flatMap { $0.isEmpty || $0 == String(repeating: "0", count: 64) ? nil : $0 }
            return .paid(feeMsat: NodeJSON.uint(p["fee_msat"]) ?? (NodeJSON.uint(p["fee_sat"]) ?? 0) * 1000, preimage: preimage)
        case "FAILED": return .failed(reason: "LND: \(p["failure_reason"] as? String ?? "FAILED")")
        case "IN_FLIGHT", "INITIATED": return .pending
        default: return .unknown
        }
    }

    /// The gRPC status code in an error answer (`{"code", "message"}` or `{"error": {...}}`), if LND sent one.
    static func grpcCode(_ json: [String: Any]) -> Int? {
        let error = json["error"] as? [String: Any] ?? json
        guard error["message"] is String else { return nil }
        return (error["code"] as? NSNumber)?.intValue
    }

    /// Whether an error answer is LND's own refusal of the call: a gRPC status from LND, not one that says the
    /// call did not get through (Cancelled, DeadlineExceeded, Internal, Unavailable).
    static func refusal(_ json: [String: Any]) -> Bool {
        guard let code = grpcCode(json) else { return false }
        return ![1, 4, 13, 14].contains(code)
    }

    // MARK: Calls

    func call<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let value = try await body()
            health.up()
            return value
        } catch let error as NodeCallError {
            let reason = PaymentBackendError("LND: \(error.description)")
            health.down(reason)
            throw reason
        }
    }

    func unavailable(_ what: String, _ answer: NodeAnswer) -> PaymentBackendError {
        PaymentBackendError("LND answered \(what) with \(answer.detail)")
    }

    static func bytes(base64 text: String) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map(Array.init)
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
}

extension LNDBackend: PaymentHistory {
    /// Every invoice (`GET /v1/invoices`) and every payment (`GET /v1/payments`, incomplete ones included), 500 at
    /// a time from `index_offset`. An invoice is a succeeded incoming payment once SETTLED (for `amt_paid_msat`),
    /// failed once CANCELED; a payment's status is LND's (`SUCCEEDED`, `FAILED`, in flight otherwise).
    public func payments() async throws -> [BackendPayment] {
        var list = [BackendPayment]()
        try await page("/v1/invoices?num_max_invoices=500", key: "invoices") { i in
            guard let hash = (i["r_hash"] as? String).flatMap(Self.bytes(base64:)).flatMap({ try? PaymentHash(bytes: $0) }) else { return }
            let state = i["state"] as? String
            let status: BackendPayment.Status = state == "SETTLED" ? .succeeded : state == "CANCELED" ? .failed : .pending
            let amount = (status == .succeeded ? NodeJSON.uint(i["amt_paid_msat"]) : nil) ?? NodeJSON.uint(i["value_msat"]) ?? 0
            list.append(BackendPayment(direction: .incoming, paymentHash: hash, amountMsat: amount, feeMsat: 0, status: status))
        }
        try await page("/v1/payments?include_incomplete=true&max_payments=500", key: "payments") { p in
            guard let hex = p["payment_hash"] as? String, let hash = try? PaymentHash(hex: hex.lowercased()) else { return }
            let status: BackendPayment.Status =
                switch p["status"] as? String {
                case "SUCCEEDED": .succeeded
                case "FAILED": .failed
                default: .pending
                }
            let fee = NodeJSON.uint(p["fee_msat"]) ?? (NodeJSON.uint(p["fee_sat"]) ?? 0) * 1000
            list.append(BackendPayment(direction: .outgoing, paymentHash: hash, amountMsat: NodeJSON.uint(p["value_msat"]) ?? 0, feeMsat: fee, status: status))
        }
        return list
    }

    /// Follows LND's `index_offset` paging of `path` until a page is empty or the offset stops moving.
    func page(_ path: String, key: String, _ each: ([String: Any]) -> Void) async throws {
        var offset: UInt64 = 0
        while true {
            let answer = try await call { try await client.get(path + "&index_offset=\(offset)") }
            guard answer.ok else { throw unavailable("the \(key) list", answer) }
            let items = answer.json[key] as? [[String: Any]] ?? []
            items.forEach(each)
            guard !items.isEmpty, let next = NodeJSON.uint(answer.json["last_index_offset"]), next > offset else { return }
            offset = next
        }
    }
}
