import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP proxy on 127.0.0.1 that hands each new connection to the next of several mint processes in turn, as a
/// load balancer in front of a scaled-out mint would: a client's successive connections land on different processes.
public final class RoundRobinProxy: @unchecked Sendable {
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)" }
    let targets: [Int]
    let lock = NSLock()
    var next = 0
    /// Connections handed to each target, by position.
    public private(set) var handed: [Int]
    var listener: Int32 = -1

    public init(targets: [Int]) throws {
        self.targets = targets
        handed = Array(repeating: 0, count: targets.count)
        let (boundPort, boundSocket) = try KillingProxy.listen(backlog: 64)
        port = boundPort
        listener = boundSocket
        let fd = listener
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else {
                    close(fd)
                    return
                }
                let target = lock.withLock { () -> Int in
                    let i = next % targets.count
                    next += 1
                    handed[i] += 1
                    return targets[i]
                }
                Thread.detachNewThread { Self.serve(client, target: target) }
            }
        }
    }

    /// Connections handed to each target so far.
    public var counts: [Int] { lock.withLock { handed } }

    /// Stops accepting.
    public func stop() { shutdown(listener, Int32(SHUT_RDWR)) }

    static func serve(_ client: Int32, target: Int) {
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = KillingProxy.address(target)
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else {
            close(client)
            close(upstream)
            return
        }
        let pumped = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            KillingProxy.pump(from: client, to: upstream, seen: Locked(""))
            pumped.signal()
        }
        KillingProxy.pump(from: upstream, to: client, seen: Locked(""))
        shutdown(client, Int32(SHUT_RDWR))
        shutdown(upstream, Int32(SHUT_RDWR))
        pumped.wait()
        close(client)
        close(upstream)
    }
}
