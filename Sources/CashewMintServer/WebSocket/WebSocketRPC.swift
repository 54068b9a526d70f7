import CashewEncoding
import CashuMint

/// NUT-17's JSON-RPC 2.0 messages.
enum WebSocketRPC {
    /// A parsed request, or the JSON-RPC error it deserves.
    enum Request {
        case subscribe(id: JSONValue, kind: SubscriptionKind, subID: String, filters: [String])
        case unsubscribe(id: JSONValue, subID: String)
    }

    struct Failure: Error {
        var id: JSONValue
        var code: Int
        var message: String
    }

    static func parse(_ text: String) throws(Failure) -> Request {
        guard let value = try? JSONValue(parsing: text) else { throw Failure(id: .null, code: -32700, message: "parse error: not JSON") }
        guard case .object = value else { throw Failure(id: .null, code: -32600, message: "invalid request: not an object") }
        let id = value["id"] ?? .null
        switch id {
        case .number, .string, .null: break
        default: throw Failure(id: .null, code: -32600, message: "invalid request: id must be a number or a string")
        }
        guard value["jsonrpc"]?.stringValue == "2.0" else { throw Failure(id: id, code: -32600, message: "invalid request: jsonrpc must be \"2.0\"") }
        guard let method = value["method"]?.stringValue else { throw Failure(id: id, code: -32600, message: "invalid request: method is missing") }
        guard let params = value["params"], case .object = params else { throw Failure(id: id, code: -32602, message: "invalid params: params must be an object") }
        guard let subID = params["subId"]?.stringValue, !subID.isEmpty, subID.utf8.count <= 128 else {
            throw Failure(id: id, code: -32602, message: "invalid params: subId must be a string of 1 to 128 bytes")
        }
        switch method {
        case "subscribe":
            guard let kindText = params["kind"]?.stringValue, let kind = SubscriptionKind(rawValue: kindText) else {
                throw Failure(id: id, code: -32602, message: "invalid params: kind must be one of \(SubscriptionKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let items = params["filters"]?.arrayValue else { throw Failure(id: id, code: -32602, message: "invalid params: filters must be an array") }
            var filters = [String]()
            for item in items {
                guard let f = item.stringValue, !f.isEmpty, f.utf8.count <= 128 else {
                    throw Failure(id: id, code: -32602, message: "invalid params: each filter must be a string of 1 to 128 bytes")
                }
                filters.append(f)
            }
            return .subscribe(id: id, kind: kind, subID: subID, filters: filters)
        case "unsubscribe":
            return .unsubscribe(id: id, subID: subID)
        default:
            throw Failure(id: id, code: -32601, message: "method not found: \(method.prefix(32))")
        }
    }

    static func result(id: JSONValue, subID: String) -> String {
        JSONValue.object([
            ("jsonrpc", .string("2.0")), ("result", .object([("status", .string("OK")), ("subId", .string(subID))])), ("id", id),
        ]).serialized
    }

    static func error(id: JSONValue, code: Int, message: String) -> String {
        JSONValue.object([
            ("jsonrpc", .string("2.0")), ("error", .object([("code", .int(Int64(code))), ("message", .string(message))])), ("id", id),
        ]).serialized
    }

    /// A notification around a payload that is JSON already.
    static func notification(subID: String, payload: String) -> String {
        #"{"jsonrpc":"2.0","method":"subscribe","params":{"subId":"# + JSONValue.string(subID).serialized + #","payload":"# + payload + "}}"
    }
}
