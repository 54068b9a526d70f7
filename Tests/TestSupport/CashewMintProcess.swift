import Foundation

/// A `cashew-mint serve` process on 127.0.0.1 and a free port, for tests that need the real executable (nutshell's
/// wallet against it, several processes on one database, kill -9). Stopped by `stop()` or `kill()`; the data
/// directory stays until `removeData()` so that a test can restart a mint on it.
public final class CashewMintProcess: @unchecked Sendable {
    public let port: Int
    public let dataDir: String
    public let database: String?
    public let environment: [String: String]
    public var url: String { "http://127.0.0.1:\(port)" }
    let process: Process
    let logPath: String

    /// The `cashew-mint` executable built next to the test bundle.
    public static let executable: String = {
        let bundleDir = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
        for candidate in [bundleDir + "/cashew-mint", Interop.packageRoot + "/.build/debug/cashew-mint"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return Interop.packageRoot + "/.build/debug/cashew-mint"
    }()

    /// Starts a mint; `database` nil means SQLite in `dataDir`. Waits until the port accepts connections.
    public init(dataDir: String? = nil, database: String? = nil, port: Int? = nil, environment: [String: String] = [:]) async throws {
        self.dataDir = dataDir ?? FileManager.default.temporaryDirectory.appendingPathComponent("cashew-mint-\(UUID().uuidString)").path
        self.database = database
        self.environment = environment
        self.port = try port ?? FreePort.find()
        try FileManager.default.createDirectory(atPath: self.dataDir, withIntermediateDirectories: true)
        logPath = self.dataDir + "/mint-\(self.port)-\(UUID().uuidString.prefix(8)).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        var arguments = ["serve", "--data-dir", self.dataDir, "--host", "127.0.0.1", "--port", String(self.port)]
        if let database { arguments += ["--database", database] }
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CASHEW_") }
        env["CASHEW_FAKE_INCOMING_DELAY"] = "1"
        // The full test run starves processes for longer than a ping's deadline: a test's websocket would be dropped.
        env["CASHEW_WS_PING_INTERVAL"] = "3600"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let log = FileHandle(forWritingAtPath: logPath)!
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while !FreePort.accepts(self.port) {
            guard process.isRunning else { throw Interop.Failure(description: "cashew-mint exited:\n\(logs)") }
            guard Date() < deadline else {
                kill()
                throw Interop.Failure(description: "cashew-mint did not start within 60 s:\n\(logs)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Starts a mint, runs `body` with it, then stops it and removes its data directory, also when `body` throws.
    public static func with<T>(database: String? = nil, environment: [String: String] = [:], _ body: (CashewMintProcess) async throws -> T) async throws -> T {
        let mint = try await CashewMintProcess(database: database, environment: environment)
        return try await ensuring({ try await body(mint) }, cleanup: { await mint.stopAndRemove() })
    }

    /// As `with`, and with the path of a fresh temporary directory (`prefix-UUID`, not created) for the test's wallets,
    /// removed afterwards as well.
    public static func withScratch<T>(_ prefix: String, _ body: (CashewMintProcess, String) async throws -> T) async throws -> T {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        return try await with { mint in try await body(mint, root) }
    }

    /// Two mint processes on one database with one seed (the second a `peer()` of the first), stopped and removed
    /// afterwards, also when `body` throws.
    public static func withPair<T>(database: String, _ body: (CashewMintProcess, CashewMintProcess) async throws -> T) async throws -> T {
        let a = try await CashewMintProcess(database: database)
        return try await ensuring({
            let b = try await a.peer()
            return try await ensuring({ try await body(a, b) }, cleanup: { await b.stopAndRemove() })
        }, cleanup: { await a.stopAndRemove() })
    }

    /// The value of `body`, with `cleanup` awaited afterwards whether `body` returned or threw (what a `defer`
    /// cannot do: the mints' stops wait off the cooperative pool).
    static func ensuring<T>(_ body: () async throws -> T, cleanup: () async -> Void) async throws -> T {
        let value: T
        do { value = try await body() } catch {
            await cleanup()
            throw error
        }
        await cleanup()
        return value
    }

    /// A second process with the same data directory, database and settings (a restart, or a scale-out peer).
    public func restarted(port: Int? = nil) async throws -> CashewMintProcess {
        try await CashewMintProcess(dataDir: dataDir, database: database, port: port ?? self.port, environment: environment)
    }

    /// A second mint process on the same database with the same seed (copied from this one's data directory), its
    /// own data directory and port: a scale-out peer.
    public func peer() async throws -> CashewMintProcess {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-mint-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dataDir + "/seed", toPath: dir + "/seed")
        return try await CashewMintProcess(dataDir: dir, database: database, environment: environment)
    }

    /// What the mint wrote to standard output and error.
    public var logs: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Graceful stop (SIGTERM), waiting for the process to exit; returns its exit status.
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// `stop()` waited for on a thread of its own (`OffPool`), then `removeData()`.
    public func stopAndRemove() async {
        _ = try? await OffPool.run { self.stop() }
        removeData()
    }

    /// kill -9: no chance to clean up.
    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    public var isRunning: Bool { process.isRunning }

    /// The process ID (for /proc).
    public var pid: Int32 { process.processIdentifier }

    /// Open file descriptors of the process, from /proc.
    public var openDescriptors: Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1 }

    /// Resident memory in bytes, from /proc.
    public var residentBytes: Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return -1 }
        return kb * 1024
    }

    /// Sends SIGTERM and returns at once (`waitForExit` waits).
    public func terminate() { if process.isRunning { process.terminate() } }

    /// Waits up to `timeout` seconds for the process to exit; returns whether it did.
    public func waitForExit(timeout: TimeInterval) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return !process.isRunning
    }

    /// Removes the data directory.
    public func removeData() { try? FileManager.default.removeItem(atPath: dataDir) }

    deinit { if process.isRunning { kill() } }
}
