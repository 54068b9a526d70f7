import Synchronization

/// A fan-out of paid incoming invoices: the backend publishes each payment hash once, and every subscriber gets
/// it. Owned by the backend rather than by one connection, so a subscription survives the backend's reconnects;
/// it ends only when the subscriber stops iterating or `finish()` is called at shutdown.
///
/// Each subscriber buffers up to `bufferSize` events; a subscriber that falls further behind loses the oldest.
/// Nothing depends on an event arriving: a quote check asks the backend directly.
public final class IncomingPayments: Sendable {
    struct State {
        var next = 0
        var subscribers: [Int: AsyncStream<PaymentHash>.Continuation] = [:]
        var finished = false
    }

    let state = Mutex(State())
    let bufferSize: Int

    public init(bufferSize: Int = 4096) { self.bufferSize = bufferSize }

    /// A new subscription; it sees payments published from now on.
    public func subscribe() -> AsyncStream<PaymentHash> {
        let (stream, continuation) = AsyncStream<PaymentHash>.makeStream(bufferingPolicy: .bufferingNewest(bufferSize))
        let id: Int? = state.withLock { s in
            guard !s.finished else { return nil }
            let id = s.next
            s.next += 1
            s.subscribers[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Delivers a paid invoice to every subscriber.
    public func publish(_ hash: PaymentHash) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for s in subscribers { s.yield(hash) }
    }

    /// How many subscriptions are open.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Ends every subscription (the mint is stopping).
    public func finish() {
        let subscribers = state.withLock { s -> [AsyncStream<PaymentHash>.Continuation] in
            s.finished = true
            defer { s.subscribers = [:] }
            return Array(s.subscribers.values)
        }
        for s in subscribers { s.finish() }
    }
}
