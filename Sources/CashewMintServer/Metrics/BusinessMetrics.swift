import CashuCrypto
import CashuMint
import Metrics
import Synchronization

/// The mint's money as gauges, refreshed from the ledger when Prometheus scrapes: issued, redeemed, pending and
/// outstanding e-cash per keyset, fees per unit, pending melts (all from the database's running totals, a few rows,
/// so every process exports the same figures without summing the tables), the backends' balances and the
/// watchdog's verdict (this process's last check), and the ledger's connection pool. Refreshed at most once a
/// second however often it is scraped.
public final class BusinessMetrics: Sendable {
    let mint: Mint
    let lastRefresh = Mutex<ContinuousClock.Instant?>(nil)

    public init(mint: Mint) { self.mint = mint }

    /// Brings the gauges up to date. A ledger that cannot be read leaves them as they were and is reported by
    /// `cashew_ledger_up`.
    public func refresh() async {
        let now = ContinuousClock.now
        let due = lastRefresh.withLock { last -> Bool in
            if let last, now - last < .seconds(1) { return false }
            last = now
            return true
        }
        guard due else { return }
        do {
            let totals = try await mint.store.ledgerTotals()
            let units = Dictionary(mint.keysets.all().map { ($0.record.id, $0.record.unit) }, uniquingKeysWith: { a, _ in a })
            for (id, t) in totals.keysets {
                let dimensions = [("keyset", id.hex), ("unit", units[id]?.rawValue ?? "unknown")]
                Gauge(label: "cashew_ecash_issued", dimensions: dimensions).record(Double(t.issued))
                Gauge(label: "cashew_ecash_redeemed", dimensions: dimensions).record(Double(t.redeemed))
                Gauge(label: "cashew_ecash_pending", dimensions: dimensions).record(Double(t.pending))
                // As the audit counts it: issued − redeemed − pending (negative would mean forged or foreign proofs).
                let spent = t.redeemed + t.pending
                Gauge(label: "cashew_ecash_outstanding", dimensions: dimensions).record(t.issued >= spent ? Double(t.issued - spent) : -Double(spent - t.issued))
                Gauge(label: "cashew_proofs_issued", dimensions: dimensions).record(Double(t.issuedCount))
                Gauge(label: "cashew_proofs_redeemed", dimensions: dimensions).record(Double(t.redeemedCount))
            }
            for (unit, fees) in totals.fees {
                Gauge(label: "cashew_fees_collected", dimensions: [("unit", unit.rawValue)]).record(Double(fees))
            }
            Gauge(label: "cashew_melts_pending").record(Double(try await mint.store.pendingMeltCount()))
            Gauge(label: "cashew_ledger_up").record(1)
        } catch {
            Gauge(label: "cashew_ledger_up").record(0)
        }
        if let usage = mint.store.poolUsage {
            Gauge(label: "cashew_ledger_connections", dimensions: [("state", "leased")]).record(Double(usage.leased))
            Gauge(label: "cashew_ledger_connections", dimensions: [("state", "maximum")]).record(Double(usage.maximum))
        }
        for backend in mint.backends.all {
            Gauge(label: "cashew_backend_up", dimensions: [("backend", backend.name)]).record(await backend.health() == nil ? 1 : 0)
        }
        if let check = mint.solvency.last {
            for b in check.backends {
                let dimensions = [("backend", b.name)]
                Gauge(label: "cashew_backend_balance_msat", dimensions: dimensions).record(Double(b.balanceMsat))
                Gauge(label: "cashew_backend_liabilities_msat", dimensions: dimensions).record(Double(b.liabilitiesMsat))
                Gauge(label: "cashew_backend_solvent", dimensions: dimensions).record(b.solvent ? 1 : 0)
            }
        }
    }
}
