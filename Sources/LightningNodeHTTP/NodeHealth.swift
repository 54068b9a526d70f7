import CashuMint
import Foundation
import Logging
import Synchronization

/// Whether a node answers: set down by a failed call or health check (logged once per outage), up by the next
/// answer. Quotes and melts are refused while it is down (`PaymentBackend.health()`).
public final class NodeHealth: Sendable {
    let failure: Mutex<PaymentBackendError?>
    let node: String
    let logger: Logger

    public init(node: String, logger: Logger) {
        self.node = node
        self.logger = logger
        failure = Mutex(PaymentBackendError("\(node) has not been reached yet"))
    }

    public var current: PaymentBackendError? { failure.withLock { $0 } }

    public func down(_ reason: PaymentBackendError) {
        let changed = failure.withLock { f -> Bool in
            defer { f = reason }
            return f == nil
        }
        if changed { logger.warning("\(node) is unavailable; retrying", metadata: ["error": "\(reason)"]) }
    }

    public func up() {
        let changed = failure.withLock { f -> Bool in
            defer { f = nil }
            return f != nil
        }
        if changed { logger.info("\(node) answers") }
    }
}

/// Reading the JSON of node APIs, which send 64-bit numbers as strings (LND) or numbers (CLN).
public enum NodeJSON {
    /// An unsigned integer given as a number or a decimal string (CLN's old `"1000msat"` too).
    public static func uint(_ value: Any?) -> UInt64? {
        switch value {
        case let n as NSNumber: return n.int64Value >= 0 ? n.uint64Value : nil
        case let s as String:
            let digits = s.hasSuffix("msat") ? String(s.dropLast(4)) : s
            return UInt64(digits)
        default: return nil
        }
    }
}
