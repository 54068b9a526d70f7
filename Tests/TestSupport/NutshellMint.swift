import Foundation

/// A nutshell mint (FakeWallet backend, SQLite) on 127.0.0.1 and a free port, in a temporary directory; stopped
/// (SIGTERM, then SIGKILL) by `stop()`.
public final class NutshellMint: @unchecked Sendable {
    /// `http://127.0.0.1:PORT`.
    public let url: String
    /// The temporary directory holding the mint's database and the wallets' data.
    public let directory: String
    let process: Process

    /// Starts the mint and waits until it accepts connections.
    public init(privateKey: String = "TEST_PRIVATE_KEY", environment: [String: String] = [:]) async throws {
        guard let venv = Interop.venv else { throw Interop.Failure(description: "nutshell venv not installed") }
        let port = try FreePort.find()
        url = "http://127.0.0.1:\(port)"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-nutshell-\(UUID().uuidString)").path
        let mintDirectory = directory + "/mint"
        try FileManager.default.createDirectory(atPath: mintDirectory, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: venv + "/bin/mint")
        process.arguments = ["--host", "127.0.0.1", "--port", String(port)]
        // Its own HOME and working directory, so that no ~/.cashu or .env of the developer leaks in.
        var env = ProcessInfo.processInfo.environment
        for (k, v) in [
            "HOME": directory, "MINT_BACKEND_BOLT11_SAT": "FakeWallet", "MINT_PRIVATE_KEY": privateKey,
            "MINT_RATE_LIMIT": "FALSE", "MINT_DATABASE": mintDirectory + "/db", "MINT_LISTEN_HOST": "127.0.0.1",
            "FAKEWALLET_DELAY_INCOMING_PAYMENT": "1", "DEBUG": "FALSE", "LOG_LEVEL": "WARNING",
        ] { env[k] = v }
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: mintDirectory)
        let log = FileHandle(forWritingAtPath: mintDirectory + "/mint.log") ?? {
            FileManager.default.createFile(atPath: mintDirectory + "/mint.log", contents: nil)
            return FileHandle(forWritingAtPath: mintDirectory + "/mint.log")!
        }()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while !FreePort.accepts(port) {
            guard process.isRunning else { throw Interop.Failure(description: "nutshell mint exited; see \(mintDirectory)/mint.log") }
            guard Date() < deadline else {
                stop()
                throw Interop.Failure(description: "nutshell mint did not start within 60 s")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Runs nutshell's wallet CLI (`cashu -y ARGS`) for the wallet named `wallet`, against this mint.
    public func wallet(_ wallet: String, _ arguments: [String]) async throws -> Interop.Output {
        guard let venv = Interop.venv else { throw Interop.Failure(description: "nutshell venv not installed") }
        let walletDirectory = directory + "/wallets"
        try FileManager.default.createDirectory(atPath: walletDirectory, withIntermediateDirectories: true)
        return try await Interop.run(
            venv + "/bin/cashu", ["-y", "-w", wallet] + arguments,
            environment: ["CASHU_DIR": walletDirectory, "MINT_URL": url, "HOME": directory, "DEBUG": "FALSE"],
            currentDirectory: walletDirectory)
    }

    /// The port it listens on.
    public var port: Int { Int(url.split(separator: ":").last ?? "") ?? 0 }

    /// The SQLite database directory (`MINT_DATABASE` unless the environment named another).
    public var databaseDirectory: String { directory + "/mint/db" }

    /// Stops the mint (SIGTERM, then SIGKILL) and keeps its directory: its database can then be read.
    public func halt() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Stops the mint and removes its directory.
    public func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }
}

/// Loopback ports for test servers.
public enum FreePort {
    /// A port that was free a moment ago (bound to port 0 and released).
    public static func find() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Interop.Failure(description: "socket() failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Interop.Failure(description: "bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// True when something accepts TCP connections on 127.0.0.1:`port`.
    public static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
