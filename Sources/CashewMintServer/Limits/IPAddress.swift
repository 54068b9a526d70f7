#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// An IPv4 or IPv6 address as bytes (4 or 16), for telling clients apart and matching them against CIDR ranges.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Parses a textual address (`192.0.2.1`, `2001:db8::1`); IPv4-mapped IPv6 addresses become IPv4.
    public init?(_ text: some StringProtocol) {
        var text = String(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(rawBytes: withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        self.init(v6Bytes: withUnsafeBytes(of: &v6) { Array($0) })
    }

    init(v6Bytes bytes: [UInt8]) {
        // ::ffff:a.b.c.d is the IPv4 client a.b.c.d on a dual-stack socket.
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            self.bytes = Array(bytes[12...])
        } else {
            self.bytes = bytes
        }
    }

    /// The peer of a NIO socket address (nil for a Unix socket).
    public init?(_ address: SocketAddress?) {
        switch address {
        case let .v4(a)?:
            var addr = a.address.sin_addr
            self.init(rawBytes: withUnsafeBytes(of: &addr) { Array($0) })
        case let .v6(a)?:
            var addr = a.address.sin6_addr
            self.init(v6Bytes: withUnsafeBytes(of: &addr) { Array($0) })
        default:
            return nil
        }
    }

    public var isIPv4: Bool { bytes.count == 4 }

    /// What rate limits count by: the address itself for IPv4, its /64 network for IPv6 (one host usually holds a
    /// whole /64, so counting single IPv6 addresses would let one client be millions).
    public var clientKey: IPAddress {
        isIPv4 ? self : IPAddress(rawBytes: Array(bytes[0..<8]) + Array(repeating: 0, count: 8))
    }

    init(rawBytes: [UInt8]) { self.bytes = rawBytes }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = isIPv4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil }
        guard ok else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A CIDR range (`10.0.0.0/8`, `fd00::/8`; a bare address is a range of one).
public struct IPRange: Hashable, Sendable, CustomStringConvertible {
    public let network: IPAddress
    public let prefix: Int

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let address = parts.first.flatMap({ IPAddress($0) }) else { return nil }
        let bits = address.bytes.count * 8
        let prefix: Int
        if parts.count == 2 {
            guard let p = Int(parts[1]), (0...bits).contains(p) else { return nil }
            prefix = p
        } else {
            prefix = bits
        }
        self.network = address
        self.prefix = prefix
    }

    public func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var left = prefix
        for (a, n) in zip(address.bytes, network.bytes) {
            guard left > 0 else { return true }
            let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
            if a & mask != n & mask { return false }
            left -= 8
        }
        return true
    }

    public var description: String { "\(network)/\(prefix)" }
}

extension Array where Element == IPRange {
    func contains(_ address: IPAddress) -> Bool { contains { $0.contains(address) } }
}
