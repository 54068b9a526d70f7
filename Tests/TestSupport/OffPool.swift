import Foundation

/// Runs blocking work (waiting for a child process to exit, reading its pipes) on a thread of its own.
///
/// Swift's concurrency runs every test of a pass on one pool with a thread per core (two in CI). A test that blocks
/// one of those threads while a child process works stalls every other test of the pass: their mints, timers and
/// database pools. Two such waits at once stop the whole test process until one of the children exits.
public enum OffPool {
    /// The value of `body`, computed on a new thread; the calling task is suspended, not blocked.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
