import Synchronization

/// When each unpaid mint quote last asked the payment backend, so that a wallet polling its quote asks the backend
/// at most once per interval (nutshell and cdk do the same, every 10 s). Per process, bounded: past `capacity`
/// quotes the oldest entries are forgotten, which at worst allows one extra backend call for them.
final class QuoteCheckThrottle: Sendable {
    let interval: Duration
    let capacity: Int
    let checked = Mutex<[String: ContinuousClock.Instant]>([:])

    init(interval: Duration, capacity: Int = 10_000) {
        self.interval = interval
        self.capacity = capacity
    }

    /// True, and records the check, when `quote` may ask the backend now.
    func claim(_ quote: String, now: ContinuousClock.Instant = .now) -> Bool {
        checked.withLock { checked in
            if let last = checked[quote], now - last < interval { return false }
            if checked.count >= capacity {
                // Forget the half that checked longest ago.
                let cutoff = checked.values.sorted()[checked.count / 2]
                checked = checked.filter { $0.value > cutoff }
            }
            checked[quote] = now
            return true
        }
    }
}
