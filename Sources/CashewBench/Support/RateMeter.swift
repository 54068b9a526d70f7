/// Measures the rate of an operation: runs it in chunks until the time budget is spent.
struct RateMeter {
    /// Time per measurement.
    let budget: Duration

    /// Operations per second of `body(n)`, which performs `n` operations and returns how many succeeded.
    /// Throws if any operation failed, so a broken implementation cannot post a figure.
    func rate(_ name: String, _ body: (Int) -> Int) throws -> Double {
        let clock = ContinuousClock()
        // Warm up and size the chunk to about 1/20 of the budget.
        var chunk = 1
        while true {
            let start = clock.now
            guard body(chunk) == chunk else { throw BenchError("\(name): an operation failed") }
            let elapsed = clock.now - start
            if elapsed * 20 >= budget || chunk >= 1 << 24 { break }
            chunk *= 2
        }
        var done = 0
        let start = clock.now
        var elapsed = Duration.zero
        while elapsed < budget {
            guard body(chunk) == chunk else { throw BenchError("\(name): an operation failed") }
            done += chunk
            elapsed = clock.now - start
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Double(done) / seconds
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
