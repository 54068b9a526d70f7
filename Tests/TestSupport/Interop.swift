import Foundation

/// Access to nutshell 0.21.0 (the reference Cashu implementation) and its Python dependencies for cross-checks.
///
/// The venv comes from `scripts/install-nutshell.sh`; tests find it through `CASHEW_NUTSHELL_VENV`, or at the default
/// `.build/nutshell-venv`. The README's test command installs it and sets `CASHEW_REQUIRE_INTEROP=1`, under which a
/// missing venv is a test failure rather than a skip.
public enum Interop {
    /// The package root (two levels above this file).
    public static let packageRoot: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    /// The nutshell virtualenv, if installed.
    public static let venv: String? = {
        let env = ProcessInfo.processInfo.environment
        let candidate = env["CASHEW_NUTSHELL_VENV"] ?? packageRoot + "/.build/nutshell-venv"
        return FileManager.default.isExecutableFile(atPath: candidate + "/bin/python") ? candidate : nil
    }()

    /// True when the interop tests must run (the test command sets `CASHEW_REQUIRE_INTEROP=1`).
    public static let required: Bool = ProcessInfo.processInfo.environment["CASHEW_REQUIRE_INTEROP"] == "1"

    /// True when nutshell's venv is present; interop tests use `.enabled(if: Interop.available)`.
    public static var available: Bool { venv != nil }

    /// The result of a finished process.
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Why a helper process could not be used.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Runs `code` with the venv's Python; `arguments` become `sys.argv[1...]`. Throws if Python exits non-zero.
    @discardableResult
    public static func python(_ code: String, arguments: [String] = [], environment: [String: String] = [:]) async throws -> String {
        guard let venv else { throw Failure(description: "nutshell venv not installed (scripts/install-nutshell.sh)") }
        let out = try await run(venv + "/bin/python", ["-c", code] + arguments, environment: environment)
        guard out.status == 0 else { throw Failure(description: "python exited \(out.status): \(out.stderr)") }
        return out.stdout
    }

    /// Runs an executable to completion and captures its output, waiting on a thread of its own (`OffPool`).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], currentDirectory: String? = nil
    ) async throws -> Output {
        try await OffPool.run { try runBlocking(executable, arguments, environment: environment, currentDirectory: currentDirectory) }
    }

    /// As `run`, blocking the calling thread: only where nothing can be awaited (cleanup in a `defer`).
    public static func runBlocking(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], currentDirectory: String? = nil
    ) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Read both pipes before waiting so that a chatty process cannot fill a pipe and block.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            outData = stdout.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        errData = stderr.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
