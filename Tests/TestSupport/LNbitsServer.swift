import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A real LNbits 1.6.2 server (FakeWallet funding source) on 127.0.0.1 and a free port, in a temporary directory,
/// with a super user set up so that accounts can be funded. Payments between its accounts are internal and settle
/// at once. Stopped by `stop()`; `restart()` brings it back on the same port and data.
///
/// The venv comes from `scripts/install-lnbits.sh`; tests find it through `CASHEW_LNBITS_VENV`, or at the default
/// `.build/lnbits-venv`. Under `CASHEW_REQUIRE_INTEROP=1` a missing venv fails the tests instead of skipping them.
public final class LNbitsServer: @unchecked Sendable {
    /// The LNbits virtualenv, if installed.
    public static let venv: String? = {
        let env = ProcessInfo.processInfo.environment
        let candidate = env["CASHEW_LNBITS_VENV"] ?? Interop.packageRoot + "/.build/lnbits-venv"
        return FileManager.default.isExecutableFile(atPath: candidate + "/bin/lnbits") ? candidate : nil
    }()

    public static var available: Bool { venv != nil }

    /// An LNbits wallet ("account" in its API).
    public struct Account: Sendable {
        public let id: String
        public let adminKey: String
        public let invoiceKey: String
    }

    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)" }
    public let directory: String
    var process: Process?
    var cookie = ""

    /// Starts LNbits and sets up its super user; waits until it answers (10-25 s).
    public init() async throws {
        guard Self.venv != nil else { throw Interop.Failure(description: "LNbits venv not installed (scripts/install-lnbits.sh)") }
        port = try FreePort.find()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-lnbits-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        try await start()
        let (status, headers, body) = try await request(
            "PUT", "/api/v1/auth/first_install", ["username": "admin", "password": "password123", "password_repeat": "password123"])
        guard status == 200, let setCookie = headers["set-cookie"] else {
            throw Interop.Failure(description: "LNbits first_install answered \(status): \(body)")
        }
        cookie = setCookie.split(separator: ",").map { ($0.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces) }
            .filter { $0.contains("=") }.joined(separator: "; ")
    }

    func start() async throws {
        guard let venv = Self.venv else { return }
        let purelib = try await Interop.run(venv + "/bin/python", ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var env = ProcessInfo.processInfo.environment
        for (k, v) in [
            "HOME": directory, "LNBITS_DATA_FOLDER": directory + "/data", "LNBITS_BACKEND_WALLET_CLASS": "FakeWallet",
            "LNBITS_ADMIN_UI": "true", "DEBUG": "false",
        ] { env[k] = v }
        let logPath = directory + "/lnbits.log"
        // LNbits serves its static files relative to the working directory.
        process = try ServerProcess.launch(
            venv + "/bin/lnbits", ["--host", "127.0.0.1", "--port", String(port)], workingDirectory: purelib, environment: env, logPath: logPath)
        try await ServerProcess.waitUntilAnswering(
            "LNbits", logPath: logPath, seconds: 120, every: .milliseconds(250), running: { !serverProcesses().isEmpty }, giveUp: { stop(keepData: true) }
        ) {
            guard let (status, _, _) = try? await request("GET", "/api/v1/health", nil) else { return false }
            return status == 200
        }
    }

    /// A new account (wallet) with its keys.
    public func account(_ name: String) async throws -> Account {
        let (status, _, body) = try await request("POST", "/api/v1/account", ["name": name])
        guard status == 200 || status == 201, let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let id = json["id"] as? String, let admin = json["adminkey"] as? String, let inkey = json["inkey"] as? String
        else { throw Interop.Failure(description: "LNbits account creation answered \(status): \(body)") }
        return Account(id: id, adminKey: admin, invoiceKey: inkey)
    }

    /// Credits `sats` to an account (as the super user).
    public func fund(_ account: Account, sats: Int) async throws {
        let (status, _, body) = try await request("PUT", "/users/api/v1/balance", ["id": account.id, "amount": sats], cookie: true)
        guard status == 200, body.contains("true") else { throw Interop.Failure(description: "LNbits funding answered \(status): \(body)") }
    }

    /// The account's balance in msat.
    public func balanceMsat(_ account: Account) async throws -> Int {
        let (status, _, body) = try await request("GET", "/api/v1/wallet", nil, key: account.invoiceKey)
        guard status == 200, let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let balance = (json["balance"] as? NSNumber)?.intValue
        else { throw Interop.Failure(description: "LNbits balance answered \(status): \(body)") }
        return balance
    }

    /// An invoice of `account` for `sats`: its BOLT11 string.
    public func invoice(_ account: Account, sats: Int, memo: String = "test") async throws -> String {
        let (status, _, body) = try await request(
            "POST", "/api/v1/payments", ["out": false, "amount": sats, "unit": "sat", "memo": memo], key: account.invoiceKey)
        guard (200..<300).contains(status), let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let bolt11 = (json["bolt11"] as? String) ?? (json["payment_request"] as? String)
        else { throw Interop.Failure(description: "LNbits invoice answered \(status): \(body)") }
        return bolt11
    }

    /// Pays `bolt11` from `account`; returns LNbits' HTTP status and body.
    @discardableResult
    public func pay(_ account: Account, _ bolt11: String) async throws -> (status: Int, body: String) {
        let (status, _, body) = try await request("POST", "/api/v1/payments", ["out": true, "bolt11": bolt11], key: account.adminKey)
        return (status, body)
    }

    /// One HTTP exchange with LNbits (AsyncHTTPClient: FoundationNetworking's URLSession hung on a POST after
    /// keep-alive GETs to LNbits).
    public func request(
        _ method: String, _ path: String, _ json: [String: Any]?, key: String? = nil, cookie useCookie: Bool = false
    ) async throws -> (Int, [String: String], String) {
        var request = HTTPClientRequest(url: url + path)
        request.method = HTTPMethod(rawValue: method)
        if let json {
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        if let key { request.headers.add(name: "X-Api-Key", value: key) }
        if useCookie { request.headers.add(name: "Cookie", value: cookie) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 8 << 20)
        var headers = [String: String]()
        for (name, value) in response.headers {
            headers[name.lowercased()] = headers[name.lowercased()].map { $0 + ", " + value } ?? value
        }
        return (Int(response.status.code), headers, String(buffer: body))
    }

    /// Stops LNbits (SIGTERM, then SIGKILL); removes its directory unless `keepData`.
    public func stop(keepData: Bool = false) {
        if process != nil {
            // LNbits' launcher forks the server and exits, and the server waits for open keep-alive connections
            // on SIGTERM: every process serving this port gets SIGTERM, then SIGKILL after 5 s.
            ServerProcess.terminate(serverProcesses(), grace: 5)
        }
        process = nil
        if !keepData { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// The processes running this server (found by their command line: the launcher and the server it forks).
    public func serverProcesses() -> [pid_t] {
        guard let venv = Self.venv, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        let marker = Array((venv + "/bin/lnbits\0--host\0127.0.0.1\0--port\0\(port)\0").utf8)
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !ServerProcess.isZombie(pid) else { return nil }
            let bytes = Array(data)
            guard bytes.count >= marker.count else { return nil }
            for start in 0...(bytes.count - marker.count) where bytes[start..<(start + marker.count)].elementsEqual(marker) { return pid }
            return nil
        }
    }

    /// The end of LNbits' log (price-feed noise left out), for failure messages.
    public var logTail: String {
        let text = (try? String(contentsOfFile: directory + "/lnbits.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.contains("price") && !$0.contains("paginated") && !$0.contains("FakeWallet funding") }
            .suffix(40).joined(separator: "\n")
    }

    /// Starts LNbits again on the same port and data, after `stop(keepData: true)`.
    public func restart() async throws { try await start() }

    deinit { stop() }
}

/// Plain HTTP for tests that need a status code and a body, over AsyncHTTPClient.
public enum RawHTTP {
    public static func post(_ url: String, json: String, timeout: Duration = .seconds(30)) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: TimeAmount(timeout))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 8 << 20)))
    }

    public static func get(_ url: String, timeout: Duration = .seconds(30)) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: TimeAmount(timeout))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 8 << 20)))
    }
}
