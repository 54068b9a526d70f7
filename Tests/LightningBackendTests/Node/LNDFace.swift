import Bolt11
import Foundation
import Hummingbird
import NIOCore

/// A `ScriptedNode` in LND's REST shapes (grpc-gateway, v0.18+): int64s as strings, bytes as base64, streams as
/// JSON lines of `{"result": ...}` or `{"error": {code, message}}`.
enum LNDFace {
    static func error(_ http: Int, code: Int, _ message: String, streamed: Bool) -> Response {
        let e: [String: Any] = ["code": code, "message": message, "details": [Any]()]
        return Reply.json(http, streamed ? ["error": e] : e)
    }

    static func base64(_ hex: String) -> String { Data(Reply.bytes(hex: hex)).base64EncodedString() }

    static func invoice(_ hash: String, _ i: ScriptedNode.InvoiceRecord) -> [String: Any] {
        ["r_hash": base64(hash), "payment_request": i.bolt11, "value_msat": String(i.amountMsat), "state": "SETTLED", "settled": true,
         "settle_index": String(i.payIndex), "amt_paid_msat": String(i.amountMsat)]
    }

    static func payment(_ p: ScriptedNode.Payment, _ hash: String) -> [String: Any] {
        let a = p.attempts.last!
        var r: [String: Any] = ["payment_hash": hash, "value_msat": String(p.amountMsat), "creation_time_ns": "1", "htlcs": [Any]()]
        switch a.status {
        case .succeeded:
            r["status"] = "SUCCEEDED"
            r["fee_msat"] = String(a.feeMsat)
            r["fee_sat"] = String(a.feeMsat / 1000)
            r["payment_preimage"] = String(repeating: "cd", count: 32)
            r["failure_reason"] = "FAILURE_REASON_NONE"
        case .failed:
            r["status"] = "FAILED"
            r["fee_msat"] = "0"
            r["payment_preimage"] = String(repeating: "0", count: 64)
            r["failure_reason"] = "FAILURE_REASON_NO_ROUTE"
        case .inFlight:
            r["status"] = "IN_FLIGHT"
            r["failure_reason"] = "FAILURE_REASON_NONE"
        }
        return r
    }

    /// The macaroon every request must carry (hex of the bytes the tests write as the macaroon file).
    static let macaroonHex = "0201036c6e64"

    struct MacaroonCheck: RouterMiddleware {
        typealias Context = BasicRequestContext
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            guard request.headers[.init("Grpc-Metadata-macaroon")!] == LNDFace.macaroonHex else {
                return LNDFace.error(500, code: 2, "verification failed: signature mismatch after caveat verification", streamed: false)
            }
            return try await next(request, context)
        }
    }

    static func router(_ box: NodeBox) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: MacaroonCheck())
        router.get("/v1/balance/channels") { _, _ in
            Reply.json(200, #"{"balance":"10000000","local_balance":{"sat":"10000000","msat":"10000000000"},"remote_balance":{"sat":"0","msat":"0"}}"#)
        }
        router.post("/v1/invoices") { request, _ -> Response in
            let body = try await Reply.body(request)
            guard let msat = (body["value_msat"] as? String).flatMap(UInt64.init) else { return error(400, code: 3, "value_msat", streamed: false) }
            let invoice = try box.node.createInvoice(amountMsat: msat)
            return Reply.json(200, ["r_hash": base64(invoice.hash), "payment_request": invoice.bolt11, "add_index": "1", "payment_addr": base64(invoice.hash)])
        }
        router.get("/v1/invoice/:hash") { _, context -> Response in
            let hash = context.parameters.get("hash") ?? ""
            guard let i = box.node.invoice(hash) else { return error(404, code: 5, "unable to locate invoice", streamed: false) }
            return Reply.json(200, invoice(hash, i))
        }
        // Listings, paged as LND pages them: items after `index_offset` (invoices by their index, payments by their
        // order here), at most the page size, with `last_index_offset`.
        router.get("/v1/invoices") { request, _ -> Response in
            let offset = request.uri.queryParameters.get("index_offset").flatMap { UInt64($0) } ?? 0
            let size = request.uri.queryParameters.get("num_max_invoices").flatMap { Int($0) } ?? 100
            let page = box.node.state.withLock { s in s.invoices.filter { $0.value.payIndex > offset }.sorted { $0.value.payIndex < $1.value.payIndex }.prefix(size) }
            return Reply.json(200, ["invoices": page.map { invoice($0.key, $0.value) }, "last_index_offset": String(page.last?.value.payIndex ?? offset),
                                    "first_index_offset": String(page.first?.value.payIndex ?? 0)])
        }
        router.get("/v1/payments") { request, _ -> Response in
            let offset = request.uri.queryParameters.get("index_offset").flatMap { Int($0) } ?? 0
            let size = request.uri.queryParameters.get("max_payments").flatMap { Int($0) } ?? 100
            let all = box.node.state.withLock { s in s.payments.sorted { $0.key < $1.key } }
            let page = Array(all.enumerated().filter { $0.offset + 1 > offset }.prefix(size))
            return Reply.json(200, ["payments": page.map { payment($0.element.value, $0.element.key) }, "last_index_offset": String(page.last.map { $0.offset + 1 } ?? offset),
                                    "first_index_offset": String(page.first.map { $0.offset + 1 } ?? 0), "total_num_payments": "0"])
        }
        router.get("/v1/invoices/subscribe") { request, _ -> Response in
            let node = box.node
            let from = request.uri.queryParameters.get("settle_index").flatMap { UInt64($0) } ?? node.lastPayIndex
            return Reply.stream(lines: []) { writer in
                var sent = from
                let end = ContinuousClock.now + .seconds(120)
                while ContinuousClock.now < end {
                    let fresh = node.state.withLock { s in s.invoices.filter { $0.value.payIndex > sent }.sorted { $0.value.payIndex < $1.value.payIndex } }
                    for (hash, i) in fresh {
                        try await writer.write(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["result": invoice(hash, i)]) + Data("\n".utf8)))
                        sent = i.payIndex
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
        router.post("/v2/router/send") { request, _ -> Response in
            let node = box.node
            let body = try await Reply.body(request)
            guard let bolt11 = body["payment_request"] as? String, let hash = ScriptedNode.hash(ofInvoice: bolt11),
                  body["fee_limit_msat"] != nil, body["timeout_seconds"] != nil
            else { return error(500, code: 2, "invalid payment request", streamed: true) }
            let refusal = error(500, code: 2, "invoice expired or no route", streamed: true)
            return await Reply.pay(node, bolt11, hash: hash, refusal: refusal) { answer in
            switch answer {
            case .bad(let why): return error(500, code: 2, why, streamed: true)
            case .alreadyPaid: return error(409, code: 6, "invoice is already paid", streamed: true)
            case .inFlight: return error(409, code: 6, "payment is in transition", streamed: true)
            case .sent: return Reply.stream(lines: [["result": payment(node.payment(hash)!, hash)]])
            }
            }
        }
        // QueryRoutes: one direct route to the payee for the amount (sat in the path), within the fee limit.
        router.post("/v1/graph/routes/:pub/:amt") { request, context -> Response in
            let body = try await Reply.body(request)
            guard let pub = context.parameters.get("pub"), pub.count == 66, let sat = UInt64(context.parameters.get("amt") ?? ""), sat > 0,
                  (body["fee_limit"] as? [String: Any])?["fixed_msat"] != nil
            else { return error(400, code: 3, "invalid route request", streamed: false) }
            let hop: [String: Any] = ["chan_id": "1", "pub_key": pub, "amt_to_forward_msat": String(sat * 1000), "expiry": 100]
            return Reply.json(200, ["routes": [["total_amt_msat": String(sat * 1000 + 1000), "total_fees_msat": "1000", "hops": [hop]]]])
        }
        // SendToRouteV2: the shard must carry the MPP record of the invoice it pays.
        router.post("/v2/router/route/send") { request, _ -> Response in
            let node = box.node
            let body = try await Reply.body(request)
            let hash = Reply.hex(Self.bytes(base64URL: body["payment_hash"] as? String ?? ""))
            guard let route = body["route"] as? [String: Any], let last = (route["hops"] as? [[String: Any]])?.last,
                  let mpp = last["mpp_record"] as? [String: Any], let bolt11 = node.state.withLock({ $0.external[hash] }),
                  let invoice = try? Bolt11.Invoice(parsing: bolt11), let part = UInt64(last["amt_to_forward_msat"] as? String ?? ""),
                  UInt64(mpp["total_amt_msat"] as? String ?? "") == invoice.amountMsat,
                  Self.bytes(base64URL: mpp["payment_addr"] as? String ?? "") == invoice.paymentSecret ?? []
            else { return error(400, code: 3, "invalid route or MPP record", streamed: false) }
            let refusal = error(500, code: 2, "no route", streamed: false)
            return await Reply.pay(node, bolt11, hash: hash, partMsat: part, refusal: refusal) { answer in
                switch answer {
                case .bad(let why): return error(400, code: 3, why, streamed: false)
                case .alreadyPaid, .inFlight: return error(409, code: 6, "payment in transition or paid", streamed: false)
                case .sent:
                    let p = node.payment(hash)!
                    let ok = p.latest == .succeeded
                    return Reply.json(200, [
                        "attempt_id": "1", "status": ok ? "SUCCEEDED" : "FAILED", "route": ["total_fees_msat": String(p.attempts.last!.feeMsat)],
                        "preimage": ok ? Data(repeating: 0xcd, count: 32).base64EncodedString() : "",
                    ])
                }
            }
        }
        router.get("/v2/router/track/:hash") { _, context -> Response in
            let node = box.node
            let hash = Reply.hex(Self.bytes(base64URL: context.parameters.get("hash") ?? ""))
            let notFound = error(404, code: 5, "payment isn't initiated", streamed: true)
            if let f = node.take(.status) { return await Reply.fault(f.fault, node, refusal: notFound) }
            guard let p = node.payment(hash) else { return notFound }
            // LND keeps the stream open while the payment is in flight.
            return Reply.stream(lines: [["result": payment(p, hash)]]) { _ in
                if p.latest == .inFlight { try await Task.sleep(for: .seconds(3)) }
            }
        }
        return router
    }

    static func bytes(base64URL text: String) -> [UInt8] {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map(Array.init) ?? []
    }
}
