import HummingbirdCore
import Logging

/// At most `maximum` connections accepted at once (past it, new ones wait in the kernel's backlog), with a warning
/// when the cap is reached, at most once a minute: an operator should know that clients are being held back.
struct ConnectionCap: AvailableConnectionsDelegate {
    let maximum: Int
    let logger: Logger
    var open = 0
    var lastWarning: ContinuousClock.Instant?

    init(maximum: Int, logger: Logger) {
        self.maximum = maximum
        self.logger = logger
    }

    mutating func connectionOpened() {
        open += 1
        guard open >= maximum else { return }
        let now = ContinuousClock.now
        if lastWarning.map({ now - $0 >= .seconds(60) }) ?? true {
            lastWarning = now
            logger.warning("HTTP connection cap reached: new connections wait until one closes", metadata: ["open": "\(open)", "cap": "\(maximum)"])
        }
    }

    mutating func connectionClosed() { open -= 1 }

    func isAcceptingNewConnections() -> Bool { open < maximum }
}
