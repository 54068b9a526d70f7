import Bolt11
import CLNBackend
import CashewConfig
import CashewMintComponents
import CashuMint
import Foundation
import LNDBackend
import Logging
import Testing

/// Building the LND and Core Lightning backends from settings: what each requires, the macaroon file as LND
/// writes it, and secrets kept out of descriptions; and a node whose certificate is not the configured one.
@Suite("LND and Core Lightning settings")
struct NodeBackendSettingsTests {
    static func context(_ flags: [String: String], env: [String: String] = [:]) throws -> ComponentContext {
        ComponentContext(
            settings: try LayeredSettings(flags: flags, environment: env, configFile: nil), dataDir: "/tmp", database: ":memory:",
            logger: Logger(label: "test"))
    }

    static func refusal(_ factory: PaymentBackendFactory, _ flags: [String: String], env: [String: String] = [:]) -> String? {
        do {
            _ = try factory.make(try context(flags, env: env))
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("LND: URL and macaroon required; the binary macaroon file becomes hex; the macaroon never in a description")
    func lnd() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-lnd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(Self.refusal(LNDBackend.component, [:])?.contains("lnd_url") == true)
        #expect(Self.refusal(LNDBackend.component, ["lnd_url": "https://127.0.0.1:8080"])?.contains("macaroon") == true)
        #expect(Self.refusal(LNDBackend.component, ["lnd_url": "https://127.0.0.1:8080", "lnd_cert_file": dir + "/missing"], env: ["CASHEW_LND_MACAROON": "0201"])?
            .contains("cannot be read") == true)
        // A macaroon given as a flag is refused (it would show in the process list).
        #expect(Self.refusal(LNDBackend.component, ["lnd_url": "https://127.0.0.1:8080", "lnd_macaroon": "0201"])?.contains("secret") == true)
        let binary: [UInt8] = [0x02, 0x01, 0x03, 0x6c, 0x6e, 0x64, 0xff, 0x00]
        FileManager.default.createFile(atPath: dir + "/admin.macaroon", contents: Data(binary))
        let backend = try LNDBackend.component.make(try Self.context(["lnd_url": "https://127.0.0.1:8080", "lnd_macaroon_file": dir + "/admin.macaroon"]))
        let lnd = try #require(backend as? LNDBackend)
        #expect(lnd.settings.macaroonHex == "0201036c6e64ff00")
        #expect(!"\(lnd.settings)".contains("0201036c6e64ff00"))
        try "0201AB\n".write(toFile: dir + "/hex.macaroon", atomically: true, encoding: .utf8)
        let hex = try LNDBackend.component.make(try Self.context(["lnd_url": "https://127.0.0.1:8080", "lnd_macaroon_file": dir + "/hex.macaroon"]))
        #expect((hex as? LNDBackend)?.settings.macaroonHex == "0201ab")
    }

    @Test("Core Lightning: URL and rune required; the rune never in a description")
    func cln() throws {
        #expect(Self.refusal(CLNBackend.component, [:])?.contains("cln_url") == true)
        #expect(Self.refusal(CLNBackend.component, ["cln_url": "https://127.0.0.1:3010"])?.contains("rune") == true)
        let backend = try CLNBackend.component.make(try Self.context(["cln_url": "https://127.0.0.1:3010"], env: ["CASHEW_CLN_RUNE": "secret-rune-value"]))
        let cln = try #require(backend as? CLNBackend)
        #expect(cln.settings.rune == "secret-rune-value")
        #expect(!"\(cln.settings)".contains("secret-rune-value"))
    }

    @Test("a node whose certificate is not the configured one is not talked to: no invoice, no payment", arguments: [Face.lnd, Face.cln])
    func wrongCertificate(_ face: Face) async throws {
        let box = NodeBox()
        try await FaceServer.run(face, box) { url, _ in
            let (other, _) = try await FaceServer.selfSignedCertificate()
            let backend = try Rig.backend(face, url: url, certificate: other)
            await #expect(throws: PaymentBackendError.self) { _ = try await backend.createInvoice(amountMsat: 1000, description: nil, expiry: 60) }
            let target = try box.node.externalInvoice(amountMsat: 1000)
            let result = try await backend.pay(invoice: try .init(parsing: target.bolt11), amountMsat: 1000, maxFeeMsat: 1000)
            #expect(result == .unknown)
            #expect(box.node.state.withLock { $0.invoices.isEmpty && $0.sends == 0 })
            #expect(await backend.health() != nil)
        }
    }
}
