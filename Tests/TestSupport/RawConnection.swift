import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to 127.0.0.1 for tests that speak HTTP byte by byte: partial headers, stalled bodies,
/// garbage, idle connections. Blocking, with a receive timeout.
public final class RawConnection: @unchecked Sendable {
    let fd: Int32

    /// Connects to 127.0.0.1:`port`; reads give up after `timeout` seconds.
    public init(port: Int, timeout: TimeInterval = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Interop.Failure(description: "socket() failed") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw Interop.Failure(description: "connect() to \(port) failed")
        }
    }

    /// Sends `text` (or bytes); false if the connection is gone.
    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    /// What arrives until the peer closes, the receive timeout passes, or `until` is satisfied by what was read.
    /// `closed` says whether the peer closed the connection (or reset it).
    public func read(until: ((String) -> Bool)? = nil) -> (text: String, closed: Bool) {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return (String(decoding: data, as: UTF8.self), true) }
            if n < 0 { return (String(decoding: data, as: UTF8.self), errno == ECONNRESET) }
            data += buffer[0..<n]
            if let until, until(String(decoding: data, as: UTF8.self)) { return (String(decoding: data, as: UTF8.self), false) }
        }
    }

    /// Seconds until the peer closes the connection (reading and discarding), or nil if it does not within the
    /// receive timeout.
    public func secondsUntilClosed() -> TimeInterval? {
        let started = Date()
        let (_, closed) = read()
        return closed ? Date().timeIntervalSince(started) : nil
    }

    deinit { close(fd) }
}

extension RawConnection {
    /// One HTTP/1.1 request on a connection of its own (`Connection: close`): the status, the body, and how long
    /// the answer took; status 0 when none came within `timeout`.
    public static func exchange(
        port: Int, method: String, path: String, body: String? = nil, timeout: TimeInterval = 15
    ) -> (status: Int, body: String, seconds: TimeInterval) {
        let started = Date()
        guard let connection = try? RawConnection(port: port, timeout: timeout) else { return (0, "", 0) }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if let body { request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        request += "\r\n" + (body ?? "")
        connection.send(request)
        let (text, closed) = connection.read()
        let seconds = Date().timeIntervalSince(started)
        guard closed, text.hasPrefix("HTTP/1.1 "), let status = Int(text.dropFirst(9).prefix(3)) else { return (0, text, seconds) }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body, seconds)
    }

    /// Runs `work(i)` for i in 0..<count on plain threads, at most `concurrency` at once (blocking socket work that
    /// would starve Swift's cooperative pool), and returns when all are done.
    public static func onThreads(count: Int, concurrency: Int, _ work: @escaping @Sendable (Int) -> Void) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                let slots = DispatchSemaphore(value: concurrency)
                let group = DispatchGroup()
                for i in 0..<count {
                    slots.wait()
                    group.enter()
                    Thread.detachNewThread {
                        work(i)
                        slots.signal()
                        group.leave()
                    }
                }
                group.wait()
                done.resume()
            }
        }
    }
}
