import Synchronization

/// Melts accepted with `prefer_async` (NUT-05): answered PENDING at once and paid by `Mint.payQueuedMelts()`,
/// which a service of the mint runs. Bounded: when it is full (or stopping) the melt is paid in the request.
/// A melt left in the queue at a crash stays PENDING in the ledger, and recovery settles it.
public final class MeltQueue: Sendable {
    let stream: AsyncStream<MeltQuoteRecord>
    let continuation: AsyncStream<MeltQuoteRecord>.Continuation
    let waiting = Mutex(0)
    public let capacity: Int

    public init(capacity: Int = 1024) {
        self.capacity = capacity
        (stream, continuation) = AsyncStream<MeltQuoteRecord>.makeStream()
    }

    /// Queues a PENDING melt; false when the queue is full or finished (the caller pays it itself).
    func enqueue(_ quote: MeltQuoteRecord) -> Bool {
        let admitted = waiting.withLock { n in
            guard n < capacity else { return false }
            n += 1
            return true
        }
        guard admitted else { return false }
        if case .enqueued = continuation.yield(quote) { return true }
        waiting.withLock { $0 -= 1 }
        return false
    }

    func taken() { waiting.withLock { $0 -= 1 } }

    /// Takes no more melts; those already queued are still paid.
    public func finish() { continuation.finish() }
}
