import CashuMint
import Logging

/// Group commit for swaps: concurrent swap writes are combined into one statement.
///
/// While `maxInFlight` statements are running, new swaps queue (at most `maxQueued`; past that they are refused as
/// unavailable). When a statement finishes, the first queued swap's own request leads the next batch of up to
/// `maxBatch`: it writes the batch in its own task and answers the others, so no work runs outside a request.
///
/// A batch is one atomic statement, so it writes every swap or none. Swaps that share an input or an output with
/// an earlier swap of the same batch (a double-spend storm queues many) are kept out of it and tried alone
/// afterwards; when the batch itself fails on a conflict, each of its swaps is tried alone too. Alone, the ledger,
/// not this queue, decides each one (11001/11002/11003), a few at a time so that a storm cannot take every
/// connection of the pool.
actor SwapWriter {
    typealias Swap = (inputs: [ProofRecord], outputs: [SignatureRecord], operation: OperationRecord)

    typealias Write = @Sendable ([Swap]) async throws -> Void

    struct Pending: Sendable {
        let swap: Swap
        let continuation: CheckedContinuation<Turn, any Error>
    }

    /// What a queued request is told: its swap is written, or it leads the batch it heads.
    enum Turn: Sendable {
        case written
        case lead([Pending])
    }

    let maxInFlight: Int
    let maxBatch: Int
    let maxQueued: Int
    /// Swaps tried alone at once, per batch.
    let aloneConcurrency: Int
    var queue: [Pending] = []
    var inFlight = 0

    init(maxInFlight: Int, maxBatch: Int, maxQueued: Int, aloneConcurrency: Int = 2) {
        self.maxInFlight = maxInFlight
        self.maxBatch = maxBatch
        self.maxQueued = maxQueued
        self.aloneConcurrency = max(1, aloneConcurrency)
    }

    /// Queues `swap` and returns when the batch that carried it is committed (or throws its own failure).
    /// `write` writes a batch atomically; every submitter passes the same writer (the store's).
    func submit(_ swap: Swap, write: @escaping Write) async throws {
        guard queue.count < maxQueued else { throw MintStoreError(.unavailable, "too many swaps are waiting for the ledger") }
        let turn = try await withCheckedThrowingContinuation { continuation in
            queue.append(Pending(swap: swap, continuation: continuation))
            pump()
        }
        guard case let .lead(batch) = turn else { return }
        let own = await Self.write(batch, with: write, aloneConcurrency: aloneConcurrency)
        inFlight -= 1
        if case let .failure(error as MintStoreError) = own, error.code == .unavailable {
            // The ledger cannot be reached: the swaps queued meanwhile would each wait out another acquire timeout
            // in turn. They fail now, with the same answer (503).
            let waiting = queue
            queue.removeAll()
            for pending in waiting { pending.continuation.resume(throwing: error) }
        }
        pump()
        try own.get()
    }

    /// Hands each free slot's batch to the request at its head.
    private func pump() {
        while inFlight < maxInFlight, !queue.isEmpty {
            let batch = Array(queue.prefix(maxBatch))
            queue.removeFirst(batch.count)
            inFlight += 1
            batch[0].continuation.resume(returning: .lead(batch))
        }
    }

    /// Writes `batch`, answers every request in it but the first (the leader, already running), and returns the
    /// leader's own outcome.
    private static func write(_ batch: [Pending], with write: @escaping Write, aloneConcurrency: Int) async -> Result<Void, any Error> {
        var together = [Int](), alone = [Int]()
        var ys = Set<String>(), bs = Set<String>()
        for (i, pending) in batch.enumerated() {
            let inputs = pending.swap.inputs.map(\.y), outputs = pending.swap.outputs.map(\.blindedMessage)
            if inputs.contains(where: ys.contains) || outputs.contains(where: bs.contains) {
                alone.append(i)
            } else {
                together.append(i)
                ys.formUnion(inputs)
                bs.formUnion(outputs)
            }
        }
        var results = [Result<Void, any Error>?](repeating: nil, count: batch.count)
        do {
            try await write(together.map { batch[$0].swap })
            for i in together { results[i] = .success(()) }
        } catch let error as MintStoreError where error.isConflict {
            if together.count == 1 { results[together[0]] = .failure(error) } else { alone = together + alone }
        } catch {
            // The ledger cannot be reached: every swap of the batch fails with it (no retry storm).
            for i in batch.indices { results[i] = .failure(error) }
            alone = []
        }
        // Tried alone, in queue order, a few at a time.
        alone.sort()
        await withTaskGroup(of: (Int, Result<Void, any Error>).self) { group in
            var next = alone.makeIterator()
            func start() {
                guard let i = next.next() else { return }
                let swap = batch[i].swap
                group.addTask {
                    do {
                        try await write([swap])
                        return (i, .success(()))
                    } catch {
                        return (i, .failure(error))
                    }
                }
            }
            for _ in 0..<aloneConcurrency { start() }
            while let (i, result) = await group.next() {
                results[i] = result
                start()
            }
        }
        for (i, pending) in batch.enumerated().dropFirst() {
            switch results[i] ?? .failure(MintStoreError(.unavailable, "swap not written")) {
            case .success: pending.continuation.resume(returning: .written)
            case let .failure(error): pending.continuation.resume(throwing: error)
            }
        }
        return results[0] ?? .failure(MintStoreError(.unavailable, "swap not written"))
    }
}
