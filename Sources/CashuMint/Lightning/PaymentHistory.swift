/// A payment as the backend's own records show it: what the auditor reconciles the ledger's quotes with.
public struct BackendPayment: Sendable, Hashable {
    public enum Direction: String, Sendable, Hashable {
        case incoming
        case outgoing
    }

    public enum Status: String, Sendable, Hashable {
        case succeeded
        case pending
        case failed
    }

    public var direction: Direction
    public var paymentHash: PaymentHash
    public var amountMsat: UInt64
    /// The routing fee of an outgoing payment.
    public var feeMsat: UInt64
    public var status: Status

    public init(direction: Direction, paymentHash: PaymentHash, amountMsat: UInt64, feeMsat: UInt64, status: Status) {
        self.direction = direction
        self.paymentHash = paymentHash
        self.amountMsat = amountMsat
        self.feeMsat = feeMsat
        self.status = status
    }
}

/// A payment backend that can list every payment it has made and received (Specs/audit.md, "Backend
/// reconciliation"). Backends that cannot simply do not conform.
public protocol PaymentHistory: Sendable {
    /// Every payment the backend knows, both directions.
    func payments() async throws -> [BackendPayment]
}
