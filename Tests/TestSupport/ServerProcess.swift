import Foundation

/// Starting and stopping the Python servers the tests run (LNbits, the Nostr relay): launched with their output
/// appended to a log file in their directory, waited for until they answer, stopped with SIGTERM and then SIGKILL.
enum ServerProcess {
    /// Runs `executable` with stdout and stderr appended to `logPath` (created if missing).
    static func launch(
        _ executable: String, _ arguments: [String], workingDirectory: String, environment: [String: String]? = nil, logPath: String
    ) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.currentDirectoryURL = URL(fileURLWithPath: workingDirectory)
        if let environment { p.environment = environment }
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw Interop.Failure(description: "cannot write \(logPath)") }
        log.seekToEndOfFile()
        p.standardOutput = log
        p.standardError = log
        try p.run()
        return p
    }

    /// Polls `answers` until it is true. Throws when `running` turns false, or after `seconds` (calling `giveUp`
    /// first, to stop what was started); either error points at the log.
    static func waitUntilAnswering(
        _ name: String, logPath: String, seconds: TimeInterval, every interval: Duration,
        running: () -> Bool, giveUp: () -> Void, answers: () async -> Bool
    ) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if await answers() { return }
            guard running() else { throw Interop.Failure(description: "\(name) exited; see \(logPath)") }
            guard Date() < deadline else {
                giveUp()
                throw Interop.Failure(description: "\(name) did not answer within \(Int(seconds)) s; see \(logPath)")
            }
            try await Task.sleep(for: interval)
        }
    }

    /// SIGTERM to every process, SIGKILL to those still alive after `grace` seconds; returns once all are gone
    /// (exited, or zombies left for their parent to reap).
    static func terminate(_ pids: [pid_t], grace: TimeInterval) {
        func alive() -> Bool { pids.contains { kill($0, 0) == 0 && !isZombie($0) } }
        for pid in pids { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(grace)
        while alive() && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        for pid in pids where kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        while alive() { Thread.sleep(forTimeInterval: 0.02) }
    }

    /// Whether `pid` is gone or a zombie (exited, not yet reaped).
    static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// The children of `parent`, from /proc.
    static func children(of parent: pid_t) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == parent ? pid : nil
        }
    }
}
