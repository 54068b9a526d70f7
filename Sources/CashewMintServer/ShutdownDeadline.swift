import Foundation
import Logging
import ServiceLifecycle

/// The last resort of a graceful stop: once graceful shutdown begins, the process exits when `deadline` has passed,
/// whatever is still running (a stuck request, a client stalled mid-upload, a wedged dependency). Run it with
/// `successTerminationBehavior: .ignore`.
///
/// The service group escalates to cancellation before this; the timer is a dispatch timer, not a task, because
/// by then tasks may be exactly what does not finish. In-flight melts stay pending in the ledger for start-up
/// recovery, as after a crash.
public struct ShutdownDeadline: Service {
    let deadline: Duration
    let logger: Logger

    public init(deadline: Duration, logger: Logger) {
        self.deadline = deadline
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // cancelled: the group is already stopping by cancellation
        }
        let logger = self.logger
        let deadline = self.deadline
        DispatchQueue.global().asyncAfter(deadline: .now() + Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18) {
            logger.warning("graceful stop did not finish within the shutdown deadline; exiting", metadata: ["deadline": "\(deadline)"])
            // _exit, not exit: exit handlers could wait on whatever is stuck.
            fflush(nil)
            _exit(0)
        }
    }

    /// When the group should turn a graceful stop into cancellation: a second before the deadline (half of it, for
    /// very short deadlines), so that cancellation has a chance before the hard exit.
    public static func escalation(for deadline: Duration) -> Duration {
        deadline > .seconds(2) ? deadline - .seconds(1) : deadline / 2
    }
}
