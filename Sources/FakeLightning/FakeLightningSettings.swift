import CashuCrypto

/// How the fake Lightning node behaves.
public struct FakeLightningSettings: Sendable, Hashable {
    /// Seconds after which an invoice the node issued counts as paid (as if a payer paid it).
    public var incomingDelay: Double = 1
    /// What paying an invoice does.
    public var paymentOutcome: PaymentOutcome = .paid
    /// Seconds an outgoing payment stays in flight before it resolves to `paymentOutcome`.
    public var paymentDelay: Double = 0
    /// The Lightning fee an outgoing payment costs, in msat (capped at the quote's fee reserve).
    public var paymentFeeMsat: UInt64 = 1000
    /// Fake exchange rate for fiat units (`usd`, `eur`: amounts in cents), in dollars per bitcoin.
    public var btcPrice: UInt64 = 100_000
    /// What the node holds at start, in msat (its balance then follows the payments it takes and makes).
    public var balanceMsat: UInt64 = 100_000_000_000
    /// Invoice currency prefix (`bc`: mainnet-looking invoices, as nutshell's fake wallet makes).
    public var network = "bc"
    /// A directory shared by fake nodes on this machine (`FakeNetwork`): they then pay each other's invoices, and the
    /// parts of a multi-path payment are held until they add up. Nil: a node alone, that pays anything at once.
    public var networkDirectory: String?
    /// How long the network holds the parts of an incomplete multi-path payment before it fails them, in seconds.
    public var mppTimeout: Double = 60

    public init() {}

    /// The final result of an outgoing payment.
    public enum PaymentOutcome: String, Sendable, Hashable, CaseIterable {
        case paid
        case failed
        /// Stays in flight forever (never resolves).
        case pending
    }
}
