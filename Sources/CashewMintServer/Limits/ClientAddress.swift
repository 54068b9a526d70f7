import Foundation
import HTTPTypes

/// Who a request comes from: the direct peer, or, when the peer is a trusted proxy, the client it forwards for, read
/// from the one header the operator's proxy sets (`X-Forwarded-For` by default, or RFC 7239 `Forwarded`; the other is
/// ignored, since a proxy passes a header it does not set through unchanged). The chain is read from the right: the
/// nearest address that is not a trusted proxy is the client, so a client cannot pass itself off as someone else by
/// sending its own header through the proxy.
public struct ClientAddressResolver: Sendable {
    /// The header trusted proxies set.
    public enum Header: String, Sendable, Hashable {
        case xForwardedFor = "x-forwarded-for"
        case forwarded
    }

    public let trustedProxies: [IPRange]
    public let header: Header

    public init(trustedProxies: [IPRange], header: Header = .xForwardedFor) {
        self.trustedProxies = trustedProxies
        self.header = header
    }

    /// Who the request is from, and whether that was read from a forwarding header (then the address is never exempt
    /// from limits: only a direct peer can be).
    public func resolve(peer: IPAddress?, headers: HTTPFields) -> (client: IPAddress?, forwarded: Bool) {
        guard let peer, trustedProxies.contains(peer) else { return (peer, false) }
        let chain = header == .forwarded ? Self.forwardedChain(headers) : Self.xForwardedForChain(headers)
        guard !chain.isEmpty else { return (peer, false) }
        var client = peer
        for hop in chain.reversed() {
            // An entry that is not an address (`unknown`, an obfuscated name) ends the chain at the last known hop.
            guard let address = hop else { return (client, true) }
            client = address
            if !trustedProxies.contains(address) { return (address, true) }
        }
        return (client, true)
    }

    /// The client's address (see `resolve`).
    public func client(peer: IPAddress?, headers: HTTPFields) -> IPAddress? { resolve(peer: peer, headers: headers).client }

    /// RFC 7239 `Forwarded: for=…` chain, leftmost (original client) first; nil entries are not addresses.
    static func forwardedChain(_ headers: HTTPFields) -> [IPAddress?] {
        headers[values: .forwarded].flatMap { $0.split(separator: ",") }.map { element -> IPAddress? in
            for pair in element.split(separator: ";") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard kv.count == 2, kv[0].lowercased() == "for" else { continue }
                var value = kv[1]
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                // `[2001:db8::1]:4711` or `192.0.2.1:4711`: drop the port.
                if value.hasPrefix("["), let end = value.firstIndex(of: "]") {
                    value = String(value[value.index(after: value.startIndex)..<end])
                } else if value.filter({ $0 == ":" }).count == 1, let colon = value.firstIndex(of: ":") {
                    value = String(value[..<colon])
                }
                return IPAddress(value)
            }
            return nil
        }
    }

    /// `X-Forwarded-For` chain, leftmost first; nil entries are not addresses.
    static func xForwardedForChain(_ headers: HTTPFields) -> [IPAddress?] {
        headers[values: .xForwardedFor].flatMap { $0.split(separator: ",") }.map { IPAddress($0.trimmingCharacters(in: .whitespaces)) }
    }
}

extension HTTPField.Name {
    static let forwarded = HTTPField.Name("Forwarded")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
