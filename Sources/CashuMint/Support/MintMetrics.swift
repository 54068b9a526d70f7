import CashuCrypto
import Metrics

/// The mint's own events as metrics (counted by the process that handled them; Prometheus adds the processes up).
/// Without a metrics backend bootstrapped these cost nothing.
enum MintMetrics {
    /// `cashew_mint_quotes_total{unit, outcome}`: created, paid, issued.
    static func mintQuote(_ unit: CurrencyUnit, _ outcome: String) {
        Counter(label: "cashew_mint_quotes_total", dimensions: [("unit", unit.rawValue), ("outcome", outcome)]).increment()
    }

    /// `cashew_melt_quotes_total{unit, outcome}`: created, paid, failed.
    static func meltQuote(_ unit: CurrencyUnit, _ outcome: String) {
        Counter(label: "cashew_melt_quotes_total", dimensions: [("unit", unit.rawValue), ("outcome", outcome)]).increment()
    }

    /// `cashew_cached_responses_total{endpoint, outcome}`: NUT-19 answers stored and replayed.
    static func cachedResponse(_ endpoint: CachedEndpoint, _ outcome: String) {
        Counter(label: "cashew_cached_responses_total", dimensions: [("endpoint", endpoint.rawValue), ("outcome", outcome)]).increment()
    }

    /// `cashew_melt_duration_seconds{unit, state}`: how long a melt request took, by the state it answered.
    static func meltDuration(_ unit: CurrencyUnit, state: String, since start: ContinuousClock.Instant) {
        Timer(label: "cashew_melt_duration_seconds", dimensions: [("unit", unit.rawValue), ("state", state)], preferredDisplayUnit: .seconds)
            .recordInterval(since: start)
    }
}

extension Timer {
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
