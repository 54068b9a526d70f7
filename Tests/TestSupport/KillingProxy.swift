import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP proxy on 127.0.0.1 in front of a mint that, once `arm(path:)`ed, lets the next request for that path
/// through to the mint and, when the mint's answer starts to arrive, calls `onAnswer` (e.g. kills the mint) and
/// drops the connection without passing the answer on: the request was carried out, but the client never hears so.
public final class KillingProxy: @unchecked Sendable {
    public let port: Int
    let target: Int
    let onAnswer: @Sendable () -> Void
    let lock = NSLock()
    var armed: String?
    var listener: Int32 = -1

    public init(target: Int, onAnswer: @escaping @Sendable () -> Void) throws {
        self.target = target
        self.onAnswer = onAnswer
        let (boundPort, boundSocket) = try Self.listen(backlog: 16)
        port = boundPort
        listener = boundSocket
        let fd = listener
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else {
                    // Closed here, by the only thread that uses it (see `stop`).
                    close(fd)
                    return
                }
                Thread.detachNewThread { self.serve(client) }
            }
        }
    }

    /// The answer to the next `POST path` request is dropped and `onAnswer` runs.
    public func arm(path: String) { lock.withLock { armed = "POST " + path } }

    /// Stops accepting: the accepting thread wakes with an error and closes the socket itself.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }

    /// A listening socket on 127.0.0.1 and a free port.
    static func listen(backlog: Int32) throws -> (port: Int, socket: Int32) {
        let port = try FreePort.find()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.address(port)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, Glibc.listen(fd, backlog) == 0 else {
            close(fd)
            throw Interop.Failure(description: "proxy cannot listen on \(port)")
        }
        return (port, fd)
    }

    static func address(_ port: Int) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(port).bigEndian)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        return a
    }

    func serve(_ client: Int32) {
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.address(target)
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else {
            close(client)
            close(upstream)
            return
        }
        // The request line last sent on this connection (HTTP/1.1 keep-alive: one request at a time).
        let lastRequest = Locked("")
        // The descriptors are closed only after both directions are done with them: closed while the other thread
        // still reads or shuts them down, their numbers could be reused by another test's socket in this process.
        let pumped = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            Self.pump(from: client, to: upstream, seen: lastRequest)
            pumped.signal()
        }
        // Mint → client, unless armed.
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(upstream, &buffer, buffer.count)
            if n <= 0 { break }
            let request = lastRequest.value
            let drop = lock.withLock { () -> Bool in
                guard let armed, request.hasPrefix(armed) else { return false }
                self.armed = nil
                return true
            }
            if drop {
                onAnswer()
                break
            }
            guard Self.writeAll(client, buffer, count: n) else { break }
        }
        shutdown(client, Int32(SHUT_RDWR))
        shutdown(upstream, Int32(SHUT_RDWR))
        pumped.wait()
        close(client)
        close(upstream)
    }

    static func pump(from source: Int32, to destination: Int32, seen: Locked<String>) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(source, &buffer, buffer.count)
            if n <= 0 { break }
            let start = String(decoding: buffer[0..<min(n, 64)], as: UTF8.self)
            if start.hasPrefix("GET ") || start.hasPrefix("POST ") { seen.mutate { $0 = start } }
            guard writeAll(destination, buffer, count: n) else { return }
        }
        shutdown(destination, Int32(SHUT_WR))
    }

    /// Writes the first `count` bytes of `buffer` to `fd`; false when the other side is gone.
    static func writeAll(_ fd: Int32, _ buffer: [UInt8], count: Int) -> Bool {
        var sent = 0
        while sent < count {
            let w = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + sent, count - sent) }
            if w <= 0 { return false }
            sent += w
        }
        return true
    }
}

