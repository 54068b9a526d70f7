import CashuMint
import Foundation
import HummingbirdWSClient
import Logging
import NIOSSL
import Synchronization

extension LNbitsBackend {
    /// Follows LNbits' websocket for the wallet (`/api/v1/ws/{key}`: LNbits sends every payment of the wallet as
    /// `{"wallet_balance", "payment"}`), reconnecting with backoff. While it is connected the poll slows to a safety
    /// net; while it is not (an old LNbits, a proxy without websockets) the poll carries incoming payments alone.
    func followWebSocket() async {
        var backoff = settings.pollInterval
        var failures = 0
        while !Task.isCancelled {
            let connected = Mutex(false)
            do {
                try await WebSocketClient.connect(
                    url: webSocketURL, configuration: .init(maxFrameSize: 1 << 20, autoPing: .enabled(timePeriod: .seconds(30))),
                    tlsConfiguration: settings.url.hasPrefix("https://") ? TLSConfiguration.makeClientConfiguration() : nil, logger: quietLogger
                ) { inbound, _, _ in
                    connected.withLock { $0 = true }
                    self.webSocketOpen.withLock { $0 = true }
                    defer { self.webSocketOpen.withLock { $0 = false } }
                    self.logger.info("LNbits websocket connected; incoming payments arrive through it")
                    // LNbits answered: it is up again (the poll, slowed while the websocket is open, must not be the
                    // only way back).
                    let recovered = self.state.withLock { s -> Bool in
                        defer {
                            s.failure = nil
                            s.timeouts = 0
                        }
                        return s.failure != nil
                    }
                    if recovered { self.logger.info("LNbits answers", metadata: ["url": "\(Settings.redacted(self.settings.url))"]) }
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case let .text(text) = message,
                              let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
                              let payment = json["payment"] as? [String: Any]
                        else { continue }
                        // Incoming (positive amount) and settled; outgoing payments come through here too.
                        guard (payment["amount"] as? NSNumber)?.int64Value ?? 0 > 0, payment["status"] as? String == "success",
                              let hex = payment["payment_hash"] as? String, let hash = try? PaymentHash(hex: hex.lowercased())
                        else { continue }
                        self.announce([hash])
                    }
                }
            } catch {
                if Task.isCancelled { return }
                if connected.withLock({ $0 }) { failures = 0 }
                failures += 1
                if failures == 1 {
                    logger.info("LNbits websocket unavailable; incoming payments are polled", metadata: ["error": "\(redactingKey(in: "\(error)"))"])
                }
            }
            if connected.withLock({ $0 }) { backoff = settings.pollInterval }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(60))
        }
    }

    /// `ws(s)://…/api/v1/ws/{key}` (LNbits sends the wallet's payments to its admin key's channel).
    var webSocketURL: String {
        var base = settings.url.hasSuffix("/") ? String(settings.url.dropLast()) : settings.url
        if base.hasPrefix("https://") { base = "wss://" + base.dropFirst(8) } else if base.hasPrefix("http://") { base = "ws://" + base.dropFirst(7) }
        return base + "/api/v1/ws/" + settings.adminKey
    }

    /// The websocket client logs its URL (with the key) at debug level: it gets a logger that says nothing below
    /// warning.
    var quietLogger: Logger {
        var l = logger
        l.logLevel = max(l.logLevel, .warning)
        return l
    }

    func redactingKey(in text: String) -> String {
        settings.adminKey.isEmpty ? text : text.replacingOccurrences(of: settings.adminKey, with: "…")
    }
}
