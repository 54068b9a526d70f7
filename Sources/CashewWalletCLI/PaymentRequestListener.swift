import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A one-shot HTTP endpoint for NUT-18's `post` transport: it takes `POST` requests carrying a payment payload,
/// receives the first one that pays the request (swapping its proofs into the wallet), answers each with a status
/// and a JSON message, and returns after the first payment.
struct PaymentRequestListener {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    let request: PaymentRequest
    let wallet: Wallet
    let maxBody = 1 << 20

    /// Binds `host:port` and calls `ready` (with the bound port) before waiting; returns the amount received.
    func run(host: String, port: Int, ready: (Int) -> Void) async throws -> Amount {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        ready(server.channel.localAddress?.port ?? port)
        return try await server.executeThenClose { connections in
            for try await connection in connections {
                if let amount = try? await serve(connection) { return amount }
            }
            throw CLIError("the listener stopped before a payment arrived")
        }
    }

    /// Serves one connection's requests; returns the amount once a payment was received.
    func serve(_ connection: Connection) async throws -> Amount? {
        try await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            for try await part in inbound {
                switch part {
                case let .head(h):
                    head = h
                    body.clear()
                case var .body(chunk):
                    guard body.readableBytes + chunk.readableBytes <= maxBody else {
                        try await respond(outbound, .payloadTooLarge, "payload too large")
                        return nil
                    }
                    body.writeBuffer(&chunk)
                case .end:
                    guard let head, head.method == .POST else {
                        try await respond(outbound, .methodNotAllowed, "POST a NUT-18 payment payload")
                        continue
                    }
                    switch await accept(body) {
                    case let .success(amount):
                        try await respond(outbound, .ok, "received \(amount)")
                        return amount
                    case let .failure(message):
                        try await respond(outbound, .badRequest, message.description)
                    }
                }
            }
            return nil
        }
    }

    /// Checks a payload against the request and receives it.
    func accept(_ body: ByteBuffer) async -> Result<Amount, CLIError> {
        guard let payload = try? JSONDecoder().decode(PaymentRequestPayload.self, from: Data(body.readableBytesView)) else {
            return .failure(CLIError("not a NUT-18 payment payload"))
        }
        do {
            return .success(try await wallet.acceptPayment(payload, for: request))
        } catch {
            return .failure(CLIError("\(WalletSession.oneLine(error))"))
        }
    }

    func respond(_ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, _ status: HTTPResponseStatus, _ message: String) async throws {
        let data = (try? JSONSerialization.data(withJSONObject: [status == .ok ? "message" : "detail": message])) ?? Data()
        var head = HTTPResponseHead(version: .http1_1, status: status)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(data.count))
        try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(ByteBuffer(bytes: data))), .end(nil)])
    }
}
