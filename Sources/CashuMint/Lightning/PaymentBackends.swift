import CashuCrypto
import CashuProtocol

/// The payment backends a mint runs, and which one serves each unit: one default, and per-unit choices (a `sat`
/// node and a `usd` service, say). Each backend appears once in `all`, however many units it serves.
public struct PaymentBackends: Sendable {
    /// Every distinct backend, the default first.
    public let all: [any PaymentBackend]
    let index: [CurrencyUnit: Int]

    /// One backend for every unit.
    public init(_ backend: any PaymentBackend) {
        all = [backend]
        index = [:]
    }

    /// `byUnit` names, for some units, a backend other than `default`. One instance serving several units appears
    /// once (backends are told apart by identity: the composition root builds each configured backend once).
    public init(default primary: any PaymentBackend, byUnit: [CurrencyUnit: any PaymentBackend]) {
        var all: [any PaymentBackend] = [primary]
        var index = [CurrencyUnit: Int]()
        for (unit, backend) in byUnit.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if let i = all.firstIndex(where: { ($0 as AnyObject) === (backend as AnyObject) }) {
                index[unit] = i
            } else {
                all.append(backend)
                index[unit] = all.count - 1
            }
        }
        self.all = all
        self.index = index
    }

    /// The default backend.
    public var primary: any PaymentBackend { all[0] }

    /// The backend that serves `unit`.
    public func backend(for unit: CurrencyUnit) -> any PaymentBackend { all[index[unit] ?? 0] }

    /// The units of `units` that `backend` (by position in `all`) serves.
    public func units(of position: Int, among units: [CurrencyUnit]) -> [CurrencyUnit] {
        units.filter { (index[$0] ?? 0) == position }
    }
}
