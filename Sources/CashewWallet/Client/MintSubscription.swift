import CashewEncoding
import CashuCrypto
import CashuProtocol
import Foundation
import Logging
import NIOSSL
import Synchronization
import WSClient

/// Waiting on a NUT-17 subscription instead of polling.
enum MintSubscription {
    /// Whether the mint's `/v1/info` offers subscriptions of `kind` for bolt11 in `unit`.
    static func offered(_ info: MintInfo, kind: String, unit: CurrencyUnit) -> Bool {
        guard let entries = info.nuts?["17"]?["supported"]?.arrayValue else { return false }
        return entries.contains { entry in
            entry["method"]?.stringValue == "bolt11" && entry["unit"]?.stringValue == unit.rawValue
                && (entry["commands"]?.arrayValue ?? []).contains(.string(kind))
        }
    }

    /// Subscribes to `filter` and waits until a notification's payload satisfies `done`, up to `timeout`. False when
    /// the time runs out or the websocket fails (the caller then polls).
    static func wait(mintURL: String, kind: String, filter: String, timeout: Duration, until done: @escaping @Sendable (JSONValue) -> Bool) async -> Bool {
        await wait(mintURL: mintURL, kind: kind, filters: [filter], timeout: timeout, until: done)
    }

    /// Subscribes to `filters` in one subscription; `done` sees every notification (of any filter) in turn.
    static func wait(mintURL: String, kind: String, filters: [String], timeout: Duration, until done: @escaping @Sendable (JSONValue) -> Bool) async -> Bool {
        let url = (mintURL.hasPrefix("https://") ? "wss://" + mintURL.dropFirst(8) : "ws://" + mintURL.dropFirst(mintURL.hasPrefix("http://") ? 7 : 0)) + "/v1/ws"
        let tls: TLSConfiguration? = mintURL.hasPrefix("https://") ? .makeClientConfiguration() : nil
        var logger = Logger(label: "cashew.subscription")
        logger.logLevel = .critical
        let quiet = logger
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    let reached = Mutex(false)
                    try await WebSocketClient.connect(url: url, tlsConfiguration: tls, logger: quiet) { inbound, outbound, _ in
                        let subID = UUID().uuidString.lowercased()
                        let request = JSONValue.object([
                            ("jsonrpc", .string("2.0")), ("id", .int(0)), ("method", .string("subscribe")),
                            ("params", .object([("kind", .string(kind)), ("subId", .string(subID)), ("filters", .array(filters.map { .string($0) }))])),
                        ])
                        try await outbound.write(.text(request.serialized))
                        for try await message in inbound.messages(maxSize: 1 << 20) {
                            guard case let .text(text) = message, let value = try? JSONValue(parsing: text) else { continue }
                            if value["error"] != nil { return }
                            guard value["params"]?["subId"]?.stringValue == subID, let payload = value["params"]?["payload"] else { continue }
                            if done(payload) {
                                reached.withLock { $0 = true }
                                try? await outbound.close(.normalClosure, reason: nil)
                                return
                            }
                        }
                    }
                    return reached.withLock { $0 }
                } catch {
                    return false
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
