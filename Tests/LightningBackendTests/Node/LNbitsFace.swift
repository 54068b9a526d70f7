import Foundation
import Hummingbird

/// A `ScriptedNode` in LNbits' REST shapes (1.x): the mint's wallet.
enum LNbitsFace {
    static let refusal = Reply.json(520, #"{"detail":"Payment failed: no route found.","status":"failed"}"#)

    static func router(_ box: NodeBox) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/api/v1/wallet") { _, _ in Reply.json(200, #"{"id":"w","name":"mint","balance":10000000000}"#) }
        router.get("/api/v1/payments/fee-reserve") { _, _ -> Response in
            let node = box.node
            if let f = node.take(.feeQuote) { return await Reply.fault(f.fault, node, refusal: Reply.json(400, #"{"detail":"Invalid invoice."}"#)) }
            return Reply.json(200, #"{"fee_reserve":2000}"#)
        }
        router.get("/api/v1/payments/paginated") { _, _ -> Response in
            let node = box.node
            let paid = node.state.withLock { s in s.invoices.map { ["payment_hash": $0.key, "amount": Int($0.value.amountMsat), "status": "success"] as [String: Any] } }
            return Reply.json(200, ["data": paid, "total": paid.count])
        }
        router.post("/api/v1/payments") { request, _ -> Response in
            let node = box.node
            let body = try await Reply.body(request)
            if body["out"] as? Bool == false {
                guard let sat = (body["amount"] as? NSNumber)?.uint64Value else { return Reply.json(422, #"{"detail":"amount"}"#) }
                let invoice = try node.createInvoice(amountMsat: sat * 1000)
                return Reply.json(201, ["payment_hash": invoice.hash, "bolt11": invoice.bolt11, "payment_request": invoice.bolt11])
            }
            guard let bolt11 = body["bolt11"] as? String, let hash = ScriptedNode.hash(ofInvoice: bolt11) else {
                return Reply.json(400, #"{"detail":"Invalid bolt11 invoice."}"#)
            }
            return await Reply.pay(node, bolt11, hash: hash, refusal: refusal) { answer in
            switch answer {
            case .bad(let why): return Reply.json(400, ["detail": why])
            case .alreadyPaid: return Reply.json(520, #"{"detail":"Payment already paid.","status":"failed"}"#)
            case .inFlight: return Reply.json(520, #"{"detail":"Payment is still pending.","status":"pending"}"#)
            case .sent:
                return record(node.payment(hash)!, hash, status: 201)
            }
            }
        }
        router.get("/api/v1/payments/:hash") { _, context -> Response in
            let node = box.node
            let hash = context.parameters.get("hash") ?? ""
            if let f = node.take(.status) { return await Reply.fault(f.fault, node, refusal: Reply.json(404, #"{"detail":"Payment does not exist."}"#)) }
            if let p = node.payment(hash) { return record(p, hash, status: 200) }
            if node.invoice(hash) != nil { return Reply.json(200, #"{"paid":true,"status":"success","details":{"status":"success"}}"#) }
            return Reply.json(404, #"{"detail":"Payment does not exist."}"#)
        }
        return router
    }

    /// An outgoing payment as LNbits reports it (the pay answer and `GET /api/v1/payments/{hash}` alike).
    static func record(_ p: ScriptedNode.Payment, _ hash: String, status: Int) -> Response {
        switch p.latest {
        case .succeeded:
            let fee = -Int(p.attempts.last!.feeMsat)
            return Reply.json(status, ["paid": true, "status": "success", "payment_hash": hash, "preimage": String(repeating: "ab", count: 32), "fee": fee,
                                       "details": ["fee": fee, "status": "success"]])
        case .failed:
            return status == 201 ? Reply.json(520, #"{"detail":"Payment failed: no route.","status":"failed"}"#)
                : Reply.json(200, ["paid": false, "status": "failed", "details": ["status": "failed"]])
        case .inFlight:
            return Reply.json(status == 201 ? 520 : 200, ["paid": false, "status": "pending", "detail": "Payment is still pending.", "details": ["status": "pending"]])
        }
    }
}
