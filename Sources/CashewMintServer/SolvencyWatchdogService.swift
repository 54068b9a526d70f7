import CashuMint
import Logging
import Metrics
import ServiceLifecycle

/// Every `interval`, compares the payment backend's balance with the e-cash outstanding plus pending melts
/// (`Mint.checkSolvency`): while the backend holds less, new mint quotes are refused (20003); swaps and melts go
/// on. Exported as `cashew_lightning_balance_msat`, `cashew_liabilities_msat` and `cashew_minting_paused`.
/// A zero interval turns it off.
public struct SolvencyWatchdogService: Service {
    let mint: Mint
    let interval: Duration

    public init(mint: Mint, interval: Duration) {
        self.mint = mint
        self.interval = interval
    }

    public func run() async throws {
        guard interval > .zero else {
            // Off: wait for shutdown like the other services.
            try? await gracefulShutdown()
            return
        }
        let balance = Gauge(label: "cashew_lightning_balance_msat")
        let liabilities = Gauge(label: "cashew_liabilities_msat")
        let paused = Gauge(label: "cashew_minting_paused")
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let check = try await mint.checkSolvency()
                balance.record(Double(check.balanceMsat))
                liabilities.record(Double(check.liabilitiesMsat))
                paused.record(check.solvent ? 0 : 1)
            } catch {
                // Without an answer the last verdict stands.
                mint.logger.warning("solvency check failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
