import CashuMint
import Logging
import Metrics
import ServiceLifecycle

/// Every `interval`, compares the payment backend's balance with the e-cash outstanding plus pending melts
/// (`Mint.checkSolvency`): while the backend holds less, new mint quotes are refused (20003); swaps and melts go
/// on. Exported as `cashew_lightning_balance_msat`, `cashew_liabilities_msat` and `cashew_minting_paused`.
/// A zero interval turns it off.
public enum SolvencyWatchdogService {
    public static func make(mint: Mint, interval: Duration) -> PeriodicService {
        let balance = Gauge(label: "cashew_lightning_balance_msat")
        let liabilities = Gauge(label: "cashew_liabilities_msat")
        let paused = Gauge(label: "cashew_minting_paused")
        // Without an answer the last verdict stands (the failure is logged).
        return PeriodicService("solvency check", every: interval, logger: mint.logger) {
            let check = try await mint.checkSolvency()
            balance.record(Double(check.balanceMsat))
            liabilities.record(Double(check.liabilitiesMsat))
            paused.record(check.solvent ? 0 : 1)
        }
    }
}
