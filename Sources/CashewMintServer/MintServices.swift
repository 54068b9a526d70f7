import CashuMint
import Logging
import ServiceLifecycle

/// Marks mint quotes PAID as the backend reports paid invoices.
public struct InvoiceListenerService<Store: MintStore, Backend: PaymentBackend>: Service {
    let mint: Mint<Store, Backend>

    public init(mint: Mint<Store, Backend>) { self.mint = mint }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await paymentHash in mint.backend.paidInvoices() {
                do {
                    try await mint.invoicePaid(paymentHash: paymentHash)
                } catch {
                    mint.logger.warning("could not mark invoice paid", metadata: ["hash": "\(paymentHash)", "error": "\(error)"])
                }
            }
        }
    }
}

/// Settles pending melts whose outcome the backend learns later, and reloads keysets (another mint process on
/// the same database may have rotated them), every `interval`.
public struct LedgerMaintenanceService<Store: MintStore, Backend: PaymentBackend>: Service {
    let mint: Mint<Store, Backend>
    let interval: Duration

    public init(mint: Mint<Store, Backend>, interval: Duration = .seconds(5)) {
        self.mint = mint
        self.interval = interval
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await mint.recoverPendingMelts()
                try await mint.reloadKeysets()
            } catch {
                mint.logger.warning("ledger maintenance failed", metadata: ["error": "\(error)"])
            }
            // Sleep until the next round, or until shutdown begins.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
