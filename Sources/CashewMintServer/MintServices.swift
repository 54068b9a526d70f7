import CashuMint
import Logging
import ServiceLifecycle

/// Marks mint quotes PAID as the backend reports paid invoices. It follows the backend's stream of incoming
/// payments, which survives the backend's reconnects; should the stream end anyway, it subscribes again, so that
/// it never takes the mint down. Missed events cost nothing but latency: a quote check asks the backend.
public struct InvoiceListenerService: Service {
    let mint: Mint

    public init(mint: Mint) { self.mint = mint }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for backend in mint.backends.all { group.addTask { await follow(backend) } }
            }
        }
    }

    func follow(_ backend: any PaymentBackend) async {
            while !Task.isCancelled {
                for await paymentHash in backend.incoming.subscribe() {
                    do {
                        try await mint.invoicePaid(paymentHash: paymentHash)
                    } catch {
                        mint.logger.warning("could not mark invoice paid", metadata: ["hash": "\(paymentHash)", "error": "\(error)"])
                    }
                }
                guard !Task.isCancelled else { break }
                mint.logger.notice("the stream of incoming payments ended; subscribing again", metadata: ["backend": "\(backend.name)"])
                try? await Task.sleep(for: .seconds(1))
            }
    }
}

/// Pays the melts that `prefer_async` requests answered PENDING at once. At graceful shutdown it takes no more,
/// and shutdown waits for those it has (within `shutdown_timeout`); a melt it never started stays PENDING in the
/// ledger for recovery.
public struct QueuedMeltService: Service {
    let mint: Mint

    public init(mint: Mint) { self.mint = mint }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await mint.payQueuedMelts() }
            // Graceful shutdown (or cancellation) closes the queue; the payments under way finish.
            try? await gracefulShutdown()
            mint.queuedMelts.finish()
        }
    }
}

/// Settles pending melts whose outcome the backend learns later, and reloads keysets (another mint process on
/// the same database may have rotated them), every `interval`.
public enum LedgerMaintenanceService {
    public static func make(mint: Mint, interval: Duration = .seconds(5)) -> PeriodicService {
        PeriodicService("ledger maintenance", every: interval, logger: mint.logger) {
            try await mint.recoverPendingMelts()
            try await mint.reloadKeysets()
            try await mint.sweepCachedResponses()
        }
    }
}

/// Closes an epoch of the ledger every `interval`, and a last one at graceful shutdown, after the API and the
/// workers have stopped (it is placed first in the group, so it stops last). Any mint process may close an epoch;
/// the ledger lets one at a time.
public struct EpochService: Service, CustomStringConvertible {
    public let description = "epoch closer"
    let mint: Mint
    let interval: Duration

    public init(mint: Mint, interval: Duration) {
        self.mint = mint
        self.interval = interval
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            await close()
        }
    }

    func close() async {
        do {
            try await mint.closeEpochs()
        } catch {
            mint.logger.warning("closing an epoch failed", metadata: ["error": "\(error)"])
        }
    }
}

/// Publishes proof of liabilities (Specs/audit.md): closes a liabilities epoch whenever `interval` has passed since
/// the last one (the first at once). Any mint process may run it; the ledger records each epoch once.
public struct LiabilityService: Service, CustomStringConvertible {
    public let description = "liabilities epoch closer"
    let mint: Mint
    let interval: Duration
    let lifetime: UInt64
    /// Seconds a deactivated keyset is still published as active (`Mint.closeLiabilityEpoch`).
    let grace: UInt64

    public init(mint: Mint, interval: Duration, lifetime: UInt64, grace: UInt64) {
        self.mint = mint
        self.interval = interval
        self.lifetime = lifetime
        self.grace = grace
    }

    public func run() async throws {
        let seconds = UInt64(max(interval.components.seconds, 1))
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let last = try await mint.lastLiabilityEpochClose()
                if last.map({ mint.clock.now() >= $0 + seconds }) ?? true {
                    try await mint.closeLiabilityEpoch(lifetime: lifetime, grace: grace)
                }
            } catch {
                mint.logger.warning("closing a liabilities epoch failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: min(interval, .seconds(60))) }
        }
    }
}

/// Runs a component's lifecycle (a store's connection pool, a payment backend's connection) as a service. It is
/// cancelled when graceful shutdown reaches it, which, by the group's order, is after the services that use it.
public struct ComponentService: Service, CustomStringConvertible {
    public let description: String
    let body: @Sendable () async throws -> Void

    public init(_ description: String, run body: @escaping @Sendable () async throws -> Void) {
        self.description = description
        self.body = body
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await body() }
        } catch is CancellationError {
            // Stopped by shutdown: not an error.
        }
    }
}
