import Foundation
import HummingbirdCore
import Testing
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import Synchronization
import TestSupport

/// The node a face currently serves (each scenario swaps in a fresh one).
final class NodeBox: Sendable {
    let current = Mutex(ScriptedNode())
    var node: ScriptedNode { current.withLock { $0 } }
    func reset(_ node: ScriptedNode) { current.withLock { $0 = node } }
}

/// Which node's wire format a server speaks.
enum Face: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case lnbits, lnd, cln
    var testDescription: String { rawValue }

    func router(_ box: NodeBox) -> Router<BasicRequestContext> {
        switch self {
        case .lnbits: LNbitsFace.router(box)
        case .lnd: LNDFace.router(box)
        case .cln: CLNFace.router(box)
        }
    }

    /// LND and Core Lightning serve their REST APIs over TLS only.
    var usesTLS: Bool { self != .lnbits }
}

/// Answers shared by the faces.
enum Reply {
    struct Dropped: Error {}

    static func json(_ status: Int, _ body: String) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func json(_ status: Int, _ object: [String: Any]) -> Response {
        json(status, String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self))
    }

    /// A 200 stream of JSON lines; `more` may write further lines before the stream ends.
    static func stream(status: Int = 200, lines: [[String: Any]], more: (@Sendable (inout any ResponseBodyWriter) async throws -> Void)? = nil) -> Response {
        let text = lines.map { String(decoding: try! JSONSerialization.data(withJSONObject: $0), as: UTF8.self) + "\n" }
        return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: ResponseBody { writer in
            for line in text { try await writer.write(ByteBuffer(string: line)) }
            if let more { try await more(&writer) }
            try await writer.finish(nil)
        })
    }

    /// The answer a fault makes of a call (`refusal` is the node's own error answer).
    static func fault(_ fault: ScriptedNode.Fault, _ node: ScriptedNode, refusal: Response) async -> Response {
        switch fault {
        case .refuse: return refusal
        case .timeout:
            try? await Task.sleep(for: node.stall)
            return json(504, "{}")
        case .http500:
            return Response(status: .internalServerError, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "<html>Internal Server Error</html>")))
        case .garbage: return json(200, "}{ this is not json")
        case .drop:
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { _ in throw Dropped() })
        }
    }

    /// A payment request as every face serves it: a fault planned before the node acts answers at once; otherwise
    /// the node sends (waiting while the payment is held), then a fault planned after it answers, or `answer` does.
    static func pay(
        _ node: ScriptedNode, _ bolt11: String, hash: String, partMsat: UInt64? = nil, refusal: Response, answer: (ScriptedNode.SendAnswer) -> Response
    ) async -> Response {
        let fault = node.take(.pay)
        if let fault, fault.moment == .before { return await Reply.fault(fault.fault, node, refusal: refusal) }
        let sent = node.send(bolt11, partMsat: partMsat)
        if case .sent(.inFlight) = sent { await node.waitWhileHeld(hash, limit: .seconds(60)) }
        if let fault { return await Reply.fault(fault.fault, node, refusal: refusal) }
        return answer(sent)
    }

    static func body(_ request: Request) async throws -> [String: Any] {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        return (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any] ?? [:]
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func bytes(hex: String) -> [UInt8] {
        var out = [UInt8]()
        var i = hex.startIndex
        while i < hex.endIndex, let j = hex.index(i, offsetBy: 2, limitedBy: hex.endIndex), let b = UInt8(hex[i..<j], radix: 16) {
            out.append(b)
            i = j
        }
        return out
    }
}

/// Runs a face's server on a free loopback port for `body` (with TLS for LND and Core Lightning: a self-signed
/// certificate for 127.0.0.1 made with openssl, whose PEM path `body` gets).
enum FaceServer {
    static func run(_ face: Face, _ box: NodeBox, _ body: (_ url: String, _ certificate: String?) async throws -> Void) async throws {
        let port = try FreePort.find()
        var certificate: String?
        var server: HTTPServerBuilder = .http1()
        if face.usesTLS {
            let (cert, key) = try await selfSignedCertificate()
            certificate = cert
            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            tls.minimumTLSVersion = .tlsv12
            server = try .tls(.http1(), tlsConfiguration: tls)
        }
        var logger = Logger(label: "scripted-\(face.rawValue)")
        logger.logLevel = .critical
        let app = Application(router: face.router(box), server: server, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            for _ in 0..<1000 where !(await accepts(port)) { try await Task.sleep(for: .milliseconds(10)) }
            guard await accepts(port) else {
                // The server did not start: its own error says why.
                try await group.next()
                throw FaceError("the \(face) server did not start")
            }
            do {
                try await body("\(face.usesTLS ? "https" : "http")://127.0.0.1:\(port)", certificate)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    /// `FreePort.accepts` off the cooperative pool: its blocking `connect` must not hold a thread the server needs
    /// to start (two servers starting at once otherwise starved each other on two cores).
    static func accepts(_ port: Int) async -> Bool {
        await withCheckedContinuation { done in DispatchQueue.global().async { done.resume(returning: FreePort.accepts(port)) } }
    }

    /// A self-signed certificate for 127.0.0.1 (as LND makes for itself), in a fresh temporary directory.
    static func selfSignedCertificate() async throws -> (cert: String, key: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let (cert, key) = (dir + "/tls.cert", dir + "/tls.key")
        let result = try await Interop.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", cert,
        ])
        guard result.status == 0 else { throw FaceError("openssl failed: \(result.stderr)") }
        return (cert, key)
    }
}

struct FaceError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
