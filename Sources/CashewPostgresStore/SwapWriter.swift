import CashuMint
import Logging
import PostgresNIO

/// Group commit for swaps: concurrent swap writes are combined into one statement.
///
/// While `maxInFlight` statements are running, new swaps queue; each next statement takes up to `maxBatch` of
/// them. A batch is one atomic statement, so it either writes every swap or none; when it fails on a conflict,
/// each of its swaps is retried on its own, so only the conflicting ones fail (11001/11002/11003) and the ledger,
/// not this queue, decides every double spend.
actor SwapWriter {
    typealias Swap = (inputs: [ProofRecord], outputs: [SignatureRecord], operation: OperationRecord)

    typealias Write = @Sendable ([Swap]) async throws -> Void

    struct Pending {
        let swap: Swap
        let write: Write
        let continuation: CheckedContinuation<Void, any Error>
    }

    let maxInFlight: Int
    let maxBatch: Int
    var queue: [Pending] = []
    var inFlight = 0

    init(maxInFlight: Int, maxBatch: Int) {
        self.maxInFlight = maxInFlight
        self.maxBatch = maxBatch
    }

    /// Queues `swap` and returns when the batch that carried it is committed (or throws its own failure).
    /// `write` writes a batch atomically; every submitter passes the same writer (the store's), so the queue holds
    /// no reference to the store between batches.
    func submit(_ swap: Swap, write: @escaping Write) async throws {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Pending(swap: swap, write: write, continuation: continuation))
            pump()
        }
    }

    private func pump() {
        while inFlight < maxInFlight, !queue.isEmpty {
            let batch = Array(queue.prefix(maxBatch))
            queue.removeFirst(batch.count)
            inFlight += 1
            Task { await run(batch) }
        }
    }

    private func run(_ batch: [Pending]) async {
        let write = batch[0].write
        do {
            try await write(batch.map(\.swap))
            for p in batch { p.continuation.resume() }
        } catch let error as MintStoreError where batch.count > 1 && error.isConflict {
            // Something in the batch conflicted: nothing was written. Each swap on its own, so that only the
            // conflicting ones fail. (Other errors, e.g. a lost connection, fail the whole batch: no retry storm.)
            await withTaskGroup(of: Void.self) { group in
                for p in batch {
                    group.addTask {
                        do {
                            try await write([p.swap])
                            p.continuation.resume()
                        } catch {
                            p.continuation.resume(throwing: error)
                        }
                    }
                }
            }
        } catch {
            for p in batch { p.continuation.resume(throwing: error) }
        }
        inFlight -= 1
        pump()
    }
}
