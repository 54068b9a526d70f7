import Foundation
import HTTPTypes

/// Who a request comes from: the direct peer, or, when the peer is a trusted proxy, the client it forwards for
/// (`Forwarded: for=…` per RFC 7239, else `X-Forwarded-For`). The chain is read from the right: the nearest address
/// that is not a trusted proxy is the client, so a client cannot pass itself off as someone else by sending its
/// own header through the proxy.
public struct ClientAddressResolver: Sendable {
    public let trustedProxies: [IPRange]

    public init(trustedProxies: [IPRange]) {
        self.trustedProxies = trustedProxies
    }

    public func client(peer: IPAddress?, headers: HTTPFields) -> IPAddress? {
        guard let peer, trustedProxies.contains(peer) else { return peer }
        let chain = Self.forwardedChain(headers)
        guard !chain.isEmpty else { return peer }
        var client = peer
        for hop in chain.reversed() {
            // An entry that is not an address (`unknown`, an obfuscated name) ends the chain at the last known hop.
            guard let address = hop else { return client }
            client = address
            if !trustedProxies.contains(address) { return address }
        }
        return client
    }

    /// The forwarded-for chain, leftmost (original client) first; nil entries are not addresses.
    static func forwardedChain(_ headers: HTTPFields) -> [IPAddress?] {
        let forwarded = headers[values: .forwarded]
        if !forwarded.isEmpty {
            return forwarded.flatMap { $0.split(separator: ",") }.compactMap { element -> IPAddress?? in
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
                    return .some(IPAddress(value))
                }
                return .some(nil)
            }
        }
        return headers[values: .xForwardedFor].flatMap { $0.split(separator: ",") }.map { IPAddress($0.trimmingCharacters(in: .whitespaces)) }
    }
}

extension HTTPField.Name {
    static let forwarded = HTTPField.Name("Forwarded")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
