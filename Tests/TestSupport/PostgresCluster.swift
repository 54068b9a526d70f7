import Foundation

/// A private PostgreSQL server of one test's own, on 127.0.0.1 and a free port, that the test may stop and start
/// again (outages) without disturbing the shared test server. Initialised with `initdb` (as the `postgres` user
/// when running as root, since PostgreSQL refuses root), fsync off; `destroy()` stops it and removes its files.
public final class PostgresCluster: @unchecked Sendable {
    public let port: Int
    public let directory: String
    public let password = "cashew-outage"
    let bin: String

    /// The server binaries (`/usr/lib/postgresql/N/bin`), if installed.
    public static let binaries: String? = {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        guard let latest = versions.last, FileManager.default.isExecutableFile(atPath: "\(root)/\(latest)/bin/initdb") else { return nil }
        return "\(root)/\(latest)/bin"
    }()

    public static var available: Bool { binaries != nil }

    /// Creates and starts a cluster with a database `cashew`.
    public init() async throws {
        guard let bin = Self.binaries else { throw Interop.Failure(description: "PostgreSQL server binaries not found") }
        self.bin = bin
        port = try FreePort.find()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-pgc-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let passwordFile = directory + ".pw"
        try password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: passwordFile) }
        if Self.isRoot {
            _ = try await Interop.run("/bin/chown", ["postgres:postgres", directory])
            _ = try await Interop.run("/bin/chmod", ["644", passwordFile])
        }
        try await pg(["initdb", "-D", directory, "-U", "cashew", "--pwfile=\(passwordFile)", "-A", "scram-sha-256", "-E", "UTF8"])
        try await start()
        try await pg(["psql", "-h", "127.0.0.1", "-p", String(port), "-U", "cashew", "-d", "postgres", "-c", "CREATE DATABASE cashew"],
               environment: ["PGPASSWORD": password])
    }

    /// The URL of the `cashew` database.
    public var url: String { "postgres://cashew:\(password)@127.0.0.1:\(port)/cashew" }

    /// Starts the server and waits until it accepts connections.
    public func start() async throws {
        let options = "-c listen_addresses=127.0.0.1 -c port=\(port) -c unix_socket_directories=\(directory) -c max_connections=200 "
            + "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        try await pg(["pg_ctl", "-D", directory, "-w", "-t", "60", "-l", directory + "/server.log", "-o", options, "start"])
    }

    /// Stops the server (`-m fast`: sessions are ended, as when an operator restarts PostgreSQL).
    public func stop() async throws {
        try await pg(["pg_ctl", "-D", directory, "-w", "-t", "60", "-m", "fast", "stop"])
    }

    /// Stops the server and removes its files.
    public func destroy() {
        _ = try? Self.pgBlocking(bin, ["pg_ctl", "-D", directory, "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Freezes the server (SIGSTOP to the postmaster and every backend): connections stay open, nothing answers.
    /// Returns the frozen process IDs for `thaw`.
    public func freeze() throws -> [Int32] {
        guard let text = try? String(contentsOfFile: directory + "/postmaster.pid", encoding: .utf8),
              let first = text.split(separator: "\n").first, let postmaster = Int32(first)
        else { throw Interop.Failure(description: "no postmaster.pid") }
        var pids = [postmaster]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // Fields after the command: state, ppid, …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == postmaster { pids.append(pid) }
        }
        for pid in pids { kill(pid, SIGSTOP) }
        return pids
    }

    /// Lets frozen processes run again.
    public func thaw(_ pids: [Int32]) {
        for pid in pids { kill(pid, SIGCONT) }
    }

    static let isRoot = getuid() == 0

    /// Runs a PostgreSQL program, as the `postgres` user when this is root, with its output in a file. Spawned and
    /// reaped here rather than with Foundation's `Process`, which learns of a child's exit through a descriptor the
    /// child inherits: `pg_ctl start` leaves a server running that inherits it too, and the wait would never end.
    /// The child keeps no descriptor but 0, 1 and 2.
    @discardableResult
    func pg(_ arguments: [String], environment: [String: String] = [:]) async throws -> String {
        let bin = bin
        return try await OffPool.run { try Self.pgBlocking(bin, arguments, environment: environment) }
    }

    /// As `pg`, blocking the calling thread (for `destroy`, which `deinit` calls).
    static func pgBlocking(_ bin: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let program = bin + "/" + arguments[0]
        let command = Self.isRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--", program] + arguments.dropFirst() : [program] + arguments.dropFirst()
        // A shell closes every inherited descriptor above 2, then runs the command from /.
        let script = #"for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2>/dev/null; cd /; exec "$@""#
        let argv = ["/bin/bash", "-c", script, "bash"] + command
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-pgc-out-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
        guard spawned == 0 else { throw Interop.Failure(description: "cannot run \(argv[0]): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // Exited normally with status 0.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw Interop.Failure(description: "\(arguments[0]) failed (wait status \(status)): \(text)")
        }
        return text
    }

    deinit { destroy() }
}
