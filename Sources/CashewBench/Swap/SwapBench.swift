import ArgumentParser
import AsyncHTTPClient
import CashuCrypto
import CashuProtocol
import Foundation
import NIOCore
import NIOHTTP1
import Secp256k1

/// `cashew-bench swap`: load on a running mint. Mints a pool of 1-sat proofs, prepares every swap request
/// (2 inputs → 2 outputs) in advance, then sends them with C concurrent connections and reports throughput,
/// latency, failures and the mint's peak memory. Also times one 100-output mint request.
struct SwapBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swap",
        abstract: "Swap throughput, latency and memory of a running mint (fee-free keyset, fake Lightning).",
        discussion: """
            Prints swaps/s, p50 and p99 latency, failed swaps, the mint's peak resident memory (VmHWM, with \
            --mint-pid) and the latency of a 100-output mint request. Request bodies are built before the clock \
            starts, so the load generator spends its CPU on HTTP, not on crypto. scripts/bench-mint.sh runs this \
            against a release mint on a durable PostgreSQL.
            """
    )

    @Option(help: "Mint URL.") var mint: String = "http://127.0.0.1:3338"
    @Option(help: "Number of swaps.") var swaps: Int = 10000
    @Option(help: "Concurrent connections.") var concurrency: Int = 32
    @Option(help: "PID of the mint process, to report its peak resident memory.") var mintPid: Int32?
    @Option(help: "Warm-up swaps before measuring.") var warmup: Int = 500

    func run() async throws {
        guard swaps > 0, concurrency > 0 else { throw ValidationError("--swaps and --concurrency must be positive") }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(120))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await bench(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func bench(_ client: HTTPClient) async throws {
        let api = BenchAPI(client: client, base: mint)
        let keyset = try await api.satKeyset()
        guard (keyset.inputFeePPK ?? 0) == 0 else { throw ValidationError("the mint's sat keyset charges input fees; bench a fee-free keyset") }
        let total = warmup + swaps
        print("preparing \(total) swaps: minting \(2 * total) proofs of 1 sat …")
        let proofs = try await api.mintOnes(2 * total, keyset: keyset)
        var bodies = [ByteBuffer]()
        var blinded = [[Point]]()
        bodies.reserveCapacity(total)
        blinded.reserveCapacity(total)
        for i in 0..<total {
            let o = try BenchOutputs(count: 2, keyset: keyset.id)
            blinded.append(o.messages.map(\.blindedSecret))
            bodies.append(ByteBuffer(bytes: try JSONEncoder().encode(SwapRequest(inputs: [proofs[2 * i], proofs[2 * i + 1]], outputs: o.messages))))
        }

        print("100-output mint request …")
        var mintLatencies = [Double]()
        for _ in 0..<5 { mintLatencies.append(try await api.timedMint(outputs: 100, keyset: keyset)) }

        if warmup > 0 {
            print("warm-up: \(warmup) swaps …")
            _ = try await drive(api, bodies: Array(bodies[0..<warmup]))
        }
        print("measuring: \(swaps) swaps, concurrency \(concurrency) …")
        let cpuBefore = mintPid.flatMap(Self.cpuSeconds)
        let selfBefore = Self.ownCPUSeconds()
        let clock = ContinuousClock()
        let start = clock.now
        let (latencies, httpFailures, statuses, responses) = try await drive(api, bodies: Array(bodies[warmup...]))
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let cpuAfter = mintPid.flatMap(Self.cpuSeconds)
        let selfAfter = Self.ownCPUSeconds()

        // After the clock: every 200 must be a swap response with two signatures carrying DLEQ proofs that verify.
        var failures = httpFailures
        for (i, body) in responses {
            guard let response = try? JSONDecoder().decode(SwapResponse.self, from: Data(body.readableBytesView)), response.signatures.count == 2,
                response.signatures.allSatisfy({ $0.dleq != nil })
            else {
                failures += 1
                continue
            }
            // Checking every DLEQ would take as long as the run; a sample of one in fifty is checked.
            if i % 50 == 0, let key = keyset.keys[1] {
                let sent = blinded[warmup + i]
                for (s, b) in zip(response.signatures, sent) {
                    guard let dleq = s.dleq, DLEQ.verify(DLEQProof(e: dleq.e, s: dleq.s), publicKey: key, blindedMessage: b, blindSignature: s.blindSignature) else {
                        failures += 1
                        break
                    }
                }
            }
        }
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        print("")
        print("swaps: \(swaps - failures) ok, \(failures) failed\(statuses.isEmpty ? "" : " (\(statuses.map { "\($0.key): \($0.value)" }.joined(separator: ", ")))")")
        print("throughput: \(Int((Double(swaps) / seconds).rounded())) swaps/s (concurrency \(concurrency), \(String(format: "%.2f", seconds)) s)")
        print("latency: p50 \(String(format: "%.2f", percentile(0.5) * 1000)) ms, p99 \(String(format: "%.2f", percentile(0.99) * 1000)) ms")
        print("mint 100 outputs: \(String(format: "%.1f", (mintLatencies.min() ?? 0) * 1000)) ms best, \(String(format: "%.1f", mintLatencies.sorted()[mintLatencies.count / 2] * 1000)) ms median of \(mintLatencies.count)")
        if let cpuBefore, let cpuAfter {
            print("mint CPU: \(Int(((cpuAfter - cpuBefore) / Double(swaps) * 1e6).rounded())) µs per swap (\(String(format: "%.2f", cpuAfter - cpuBefore)) s)")
        }
        print("load generator CPU: \(Int(((selfAfter - selfBefore) / Double(swaps) * 1e6).rounded())) µs per swap (this process, same machine)")
        if let mintPid {
            let (rss, peak) = Self.memory(pid: mintPid)
            print("mint memory: \(peak.map { "\($0 / 1024) MB peak" } ?? "unknown peak"), \(rss.map { "\($0 / 1024) MB now" } ?? "unknown now") (pid \(mintPid))")
        }
    }

    /// Sends every body with `concurrency` workers; returns each successful request's latency, the failure count
    /// and failures by status or NUT code.
    func drive(_ api: BenchAPI, bodies: [ByteBuffer]) async throws -> ([Double], Int, [String: Int], [(Int, ByteBuffer)]) {
        let next = Counter()
        return try await withThrowingTaskGroup(of: ([Double], Int, [String: Int], [(Int, ByteBuffer)]).self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    try await RawHTTPConnection.with(base: api.base) { post in
                        var latencies = [Double]()
                        var failures = 0
                        var statuses = [String: Int]()
                        var ok = [(Int, ByteBuffer)]()
                        let clock = ContinuousClock()
                        while let i = next.take(below: bodies.count) {
                            let start = clock.now
                            let (status, body) = try await post("/v1/swap", bodies[i])
                            let d = clock.now - start
                            if status == 200 {
                                latencies.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
                                ok.append((i, body))
                            } else {
                                failures += 1
                                let code = (try? JSONDecoder().decode(CashuError.self, from: Data(body.readableBytesView))).map { "code \($0.code.rawValue)" } ?? "HTTP \(status)"
                                statuses[code, default: 0] += 1
                            }
                        }
                        return (latencies, failures, statuses, ok)
                    }
                }
            }
            var all = ([Double](), 0, [String: Int](), [(Int, ByteBuffer)]())
            for try await (l, f, s, o) in group {
                all.0 += l
                all.1 += f
                all.2.merge(s, uniquingKeysWith: +)
                all.3 += o
            }
            return all
        }
    }

    /// User + system CPU seconds of this process so far.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// User + system CPU seconds of a process so far (from /proc/PID/stat).
    static func cpuSeconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Fields after the command name start at field 3 (state); utime and stime are fields 14 and 15.
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        return (utime + stime) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Current and peak resident memory of a process, in KiB (from /proc/PID/status).
    static func memory(pid: Int32) -> (rss: Int?, peak: Int?) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (nil, nil) }
        func field(_ name: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" })[1])
        }
        return (field("VmRSS"), field("VmHWM"))
    }
}

/// A shared work index for the workers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}
