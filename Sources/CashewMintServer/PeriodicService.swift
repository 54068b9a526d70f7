import Logging
import ServiceLifecycle

/// Runs `work` every `interval` until graceful shutdown begins (the sleep between rounds ends at once then). A
/// failed round is logged and the next one runs as planned. A zero interval turns it off: it only waits for shutdown.
public struct PeriodicService: Service, CustomStringConvertible {
    public let description: String
    let interval: Duration
    let logger: Logger
    let work: @Sendable () async throws -> Void

    public init(_ description: String, every interval: Duration, logger: Logger, work: @escaping @Sendable () async throws -> Void) {
        self.description = description
        self.interval = interval
        self.logger = logger
        self.work = work
    }

    public func run() async throws {
        guard interval > .zero else {
            try? await gracefulShutdown()
            return
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await work()
            } catch {
                logger.warning("\(description) failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
