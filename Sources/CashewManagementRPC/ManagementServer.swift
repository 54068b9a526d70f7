import CashuMint
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import ServiceLifecycle

/// Where and how the management API listens.
public struct ManagementSettings: Sendable, Hashable {
    /// An IP address (`localhost` means 127.0.0.1).
    public var host: String
    public var port: Int
    /// Mutual TLS: the CA that signed the operator's client certificates, and the server's certificate and key
    /// (PEM). Nil only with `insecure`.
    public var tls: TLSFiles?

    public struct TLSFiles: Sendable, Hashable {
        public var caFile: String
        public var certFile: String
        public var keyFile: String

        public init(caFile: String, certFile: String, keyFile: String) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
        }
    }

    public init(host: String, port: Int, tls: TLSFiles?) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// Without TLS (`management_insecure`).
    public var insecure: Bool { tls == nil }
}

/// The management API as a service: nutshell's gRPC management protocol over HTTP/2, with mutual TLS (only a client
/// with a certificate from the operator's CA gets in) unless explicitly insecure. Graceful shutdown stops accepting
/// calls and lets those under way finish.
public struct ManagementServer: Service, CustomStringConvertible {
    let server: GRPCServer<HTTP2ServerTransport.Posix>
    let settings: ManagementSettings
    let logger: Logger

    public var description: String { "management API" }

    /// A server for `mint`; `version` is what `GetInfo` reports. Throws if the address is not an IP address.
    public init(mint: Mint, settings: ManagementSettings, version: String, logger: Logger) throws {
        let host = settings.host == "localhost" ? "127.0.0.1" : settings.host
        let address: GRPCNIOTransportCore.SocketAddress
        if host.contains(":") {
            address = .ipv6(host: host, port: settings.port)
        } else if host.split(separator: ".").count == 4, host.split(separator: ".").allSatisfy({ UInt8($0) != nil }) {
            address = .ipv4(host: host, port: settings.port)
        } else {
            throw ManagementSettingsError("management_host must be an IP address (or localhost), not \(host.prefix(40))")
        }
        let security: HTTP2ServerTransport.Posix.TransportSecurity
        if let tls = settings.tls {
            security = .mTLS(certificateChain: [.file(path: tls.certFile, format: .pem)], privateKey: .file(path: tls.keyFile, format: .pem)) {
                $0.trustRoots = .certificates([.file(path: tls.caFile, format: .pem)])
                // The operator's CA decides who is an operator; the client's name is not checked against anything.
                $0.clientCertificateVerification = .noHostnameVerification
            }
        } else {
            security = .plaintext
        }
        self.server = GRPCServer(
            transport: .http2NIOPosix(address: address, transportSecurity: security),
            services: [MintManagementService(mint: mint, version: version)])
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await withGracefulShutdownHandler {
                    try await server.serve()
                } onGracefulShutdown: {
                    server.beginGracefulShutdown()
                }
            }
            group.addTask {
                // Only for the log: a server that failed to start reports its own error from `serve()`.
                if let address = try? await server.listeningAddress {
                    logger.info("management API listening", metadata: ["address": "\(address)", "tls": "\(settings.insecure ? "none (insecure)" : "mutual")"])
                }
            }
            try await group.waitForAll()
        }
    }
}

/// A management setting that cannot work.
public struct ManagementSettingsError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
