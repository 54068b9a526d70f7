import Foundation
import Hummingbird

/// A `ScriptedNode` in Core Lightning's clnrest shapes: `POST /v1/<method>`, the `Rune` header, errors as
/// `{"code", "message"}` with HTTP 500.
enum CLNFace {
    static func error(_ code: Int, _ message: String) -> Response { Reply.json(500, ["code": code, "message": message]) }

    static func invoice(_ hash: String, _ i: ScriptedNode.InvoiceRecord) -> [String: Any] {
        ["label": "l\(i.payIndex)", "payment_hash": hash, "bolt11": i.bolt11, "status": "paid", "amount_msat": i.amountMsat,
         "amount_received_msat": i.amountMsat, "pay_index": i.payIndex, "paid_at": 1, "expires_at": 2_000_000_000]
    }

    static func pays(_ p: ScriptedNode.Payment, _ hash: String, recent: Bool = false) -> [[String: Any]] {
        let createdAt = recent ? Int(Date().timeIntervalSince1970) : 1_600_000_000
        return p.attempts.map { a in
            var r: [String: Any] = ["payment_hash": hash, "amount_msat": p.amountMsat, "created_at": createdAt]
            switch a.status {
            case .succeeded:
                r["status"] = "complete"
                r["amount_sent_msat"] = p.amountMsat + a.feeMsat
                r["preimage"] = String(repeating: "ef", count: 32)
            case .failed: r["status"] = "failed"
            case .inFlight: r["status"] = "pending"
            }
            return r
        }
    }

    static func router(_ box: NodeBox) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/v1/:method") { request, context -> Response in
            guard let rune = request.headers[.init("Rune")!], rune == "scripted-rune" else { return Reply.json(401, #"{"code":1501,"message":"Not authorized: Missing rune"}"#) }
            let node = box.node
            let body = try await Reply.body(request)
            switch context.parameters.get("method") ?? "" {
            case "listfunds":
                return Reply.json(200, #"{"outputs":[],"channels":[{"peer_id":"02aa","our_amount_msat":10000000000,"amount_msat":10000000000,"state":"CHANNELD_NORMAL","connected":true}]}"#)
            case "invoice":
                guard let msat = (body["amount_msat"] as? NSNumber)?.uint64Value, body["label"] is String else { return error(-32602, "amount_msat: should be a millisatoshi amount") }
                let i = try node.createInvoice(amountMsat: msat)
                return Reply.json(201, ["payment_hash": i.hash, "bolt11": i.bolt11, "expires_at": 2_000_000_000, "payment_secret": i.hash])
            case "listinvoices":
                let all = node.state.withLock { $0.invoices }
                let wanted = (body["payment_hash"] as? String).map { h in all.filter { $0.key == h } } ?? all
                return Reply.json(200, ["invoices": wanted.sorted { $0.value.payIndex < $1.value.payIndex }.map { invoice($0.key, $0.value) }])
            case "waitanyinvoice":
                let after = (body["lastpay_index"] as? NSNumber)?.uint64Value ?? 0
                let wait = (body["timeout"] as? NSNumber)?.intValue ?? 30
                let end = ContinuousClock.now + .seconds(wait)
                while ContinuousClock.now < end {
                    let next = node.state.withLock { s in s.invoices.filter { $0.value.payIndex > after }.min { $0.value.payIndex < $1.value.payIndex } }
                    if let (hash, i) = next { return Reply.json(200, invoice(hash, i)) }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return error(904, "Timed out")
            case "xpay":
                guard let bolt11 = body["invstring"] as? String, let hash = ScriptedNode.hash(ofInvoice: bolt11), body["maxfee"] != nil else {
                    return error(-32602, "invstring: should be a bolt11 or bolt12 invoice")
                }
                let refusal = error(205, "Failed after 1 attempts. We could not find a usable set of paths.")
                let part = (body["partial_msat"] as? NSNumber)?.uint64Value
                return await Reply.pay(node, bolt11, hash: hash, partMsat: part, refusal: refusal) { answer in
                switch answer {
                case .bad(let why): return error(-32602, why)
                case .inFlight: return error(200, "Already have payment in progress")
                case .alreadyPaid, .sent:
                    let p = node.payment(hash)!
                    guard let done = pays(p, hash).last(where: { $0["status"] as? String == "complete" }) else {
                        return p.latest == .inFlight ? error(200, "payment in progress") : error(203, "Destination said it doesn't know invoice: incorrect_or_unknown_payment_details")
                    }
                    return Reply.json(200, ["payment_preimage": done["preimage"]!, "amount_msat": p.amountMsat, "amount_sent_msat": done["amount_sent_msat"]!,
                                            "failed_parts": 0, "successful_parts": 1])
                }
                }
            case "listpays":
                if let f = node.take(.status) { return await Reply.fault(f.fault, node, refusal: error(-1, "internal error")) }
                let recent = node.recentAttempts.withLock { $0 }
                guard let hash = body["payment_hash"] as? String else {
                    let all = node.state.withLock { $0.payments }
                    return Reply.json(200, ["pays": all.sorted { $0.key < $1.key }.flatMap { pays($0.value, $0.key, recent: recent) }])
                }
                return Reply.json(200, ["pays": node.payment(hash).map { pays($0, hash, recent: recent) } ?? []])
            default:
                return Reply.json(404, #"{"code":-32601,"message":"Unknown command"}"#)
            }
        }
        return router
    }
}
