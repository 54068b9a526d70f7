import Foundation

/// A real Nostr relay (PyPI `nostr-relay` 1.14) on 127.0.0.1 and a free port, with its SQLite store in a temporary
/// directory. `stop(keepData: true)` then `start()` brings it back on the same port with the same events.
///
/// The venv comes from `scripts/install-nostr-relay.sh`; tests find it through `CASHEW_NOSTR_RELAY_VENV`, or at the
/// default `.build/nostr-relay-venv`. Under `CASHEW_REQUIRE_INTEROP=1` a missing venv fails the tests.
public final class NostrRelayServer: @unchecked Sendable {
    public static let venv: String? = {
        let env = ProcessInfo.processInfo.environment
        let candidate = env["CASHEW_NOSTR_RELAY_VENV"] ?? Interop.packageRoot + "/.build/nostr-relay-venv"
        return FileManager.default.isExecutableFile(atPath: candidate + "/bin/nostr-relay") ? candidate : nil
    }()

    public static var available: Bool { venv != nil }

    public let port: Int
    public var url: String { "ws://127.0.0.1:\(port)" }
    public let directory: String
    var process: Process?

    /// Starts a relay and waits until it answers HTTP.
    public init() async throws {
        guard Self.venv != nil else { throw Interop.Failure(description: "nostr-relay venv not installed (scripts/install-nostr-relay.sh)") }
        port = try FreePort.find()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-relay-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Events up to 256 KiB of content (a token of many proofs, gift-wrapped); 1.14's default is 4 KiB.
        let config = """
            DEBUG: false
            storage:
              sqlalchemy.url: sqlite+aiosqlite:///\(directory)/relay.sqlite3
            max_event_size: 262144
            gunicorn:
              bind: 127.0.0.1:\(port)
              workers: 1
              loglevel: warning
            """
        try config.write(toFile: directory + "/config.yaml", atomically: true, encoding: .utf8)
        try await start()
    }

    /// Starts the relay (again) on its port and data.
    public func start() async throws {
        guard let venv = Self.venv else { return }
        let logPath = directory + "/relay.log"
        let p = try ServerProcess.launch(venv + "/bin/nostr-relay", ["-c", directory + "/config.yaml", "serve"], workingDirectory: directory, logPath: logPath)
        process = p
        try await ServerProcess.waitUntilAnswering(
            "nostr-relay", logPath: logPath, seconds: 60, every: .milliseconds(200), running: { p.isRunning }, giveUp: { stop(keepData: true) }
        ) {
            guard let answer = try? await RawHTTP.get("http://127.0.0.1:\(port)/", timeout: .seconds(5)) else { return false }
            return answer.status == 200
        }
    }

    /// Stops the relay: gunicorn's master and its worker get SIGTERM, then SIGKILL after 2 s (a graceful stop
    /// would wait for open websockets). Removes the data unless `keepData`.
    public func stop(keepData: Bool = false) {
        if let p = process {
            ServerProcess.terminate([p.processIdentifier] + ServerProcess.children(of: p.processIdentifier), grace: 2)
            p.waitUntilExit()
        }
        process = nil
        if !keepData { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// The relay's log, for failure messages.
    public var logTail: String {
        ((try? String(contentsOfFile: directory + "/relay.log", encoding: .utf8)) ?? "").split(separator: "\n").suffix(30).joined(separator: "\n")
    }

    /// Runs `body` with a fresh relay, stopped afterwards.
    public static func with<T>(_ body: (NostrRelayServer) async throws -> T) async throws -> T {
        let relay = try await NostrRelayServer()
        do {
            let value = try await body(relay)
            relay.stop()
            return value
        } catch {
            relay.stop()
            throw error
        }
    }

    deinit { stop() }
}
