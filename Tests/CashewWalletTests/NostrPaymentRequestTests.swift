import CashewEncoding
import CashewNostr
import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

/// NUT-18 payment requests over Nostr (NIP-17) between two `cashew` wallets, through a real relay on loopback
/// (nostr-relay 1.14): neither wallet opens a port.
@Suite("Payment requests over Nostr", .enabled(if: NostrRelayServer.available || Interop.required), .serialized)
struct NostrPaymentRequestTests {
    /// Relays get two minutes to answer: the full test run starves processes for tens of seconds.
    static let env = ["CASHEW_NOSTR_TIMEOUT": "120"]
    static func cashew(_ args: [String]) async throws -> Interop.Output { try await WalletCLITests.cashew(args, env: env) }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// A mint, a relay, and two wallets: Alice with 300 sat, Bob knowing the mint.
    static func with(_ body: (CashewMintProcess, NostrRelayServer, String, String) async throws -> Void) async throws {
        try await CashewMintProcess.withScratch("cashew-nostr") { mint, root in
            try await NostrRelayServer.with { relay in
                let (alice, bob) = (root + "/alice", root + "/bob")
                #expect(try await cashew(["--dir", alice, "--mint", mint.url, "mint", "300"]).status == 0)
                #expect(try await cashew(["--dir", bob, "mints", "add", mint.url]).status == 0)
                try await body(mint, relay, alice, bob)
            }
        }
    }

    @Test("request --nostr waits on the relay; pay-request sends the token there (NIP-17); the payee receives it, checked, and exits")
    func payWhileListening() async throws {
        try await Self.with { mint, relay, alice, bob in
            let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-nostr-req-\(UUID().uuidString)").path
            FileManager.default.createFile(atPath: outPath, contents: nil)
            defer { try? FileManager.default.removeItem(atPath: outPath) }
            let payee = Process()
            payee.executableURL = URL(fileURLWithPath: WalletCLITests.executable)
            payee.arguments = ["--dir", bob, "request", "120", "--nostr", relay.url, "--description", "pizza", "--bech32", "--timeout", "120"]
            payee.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
            payee.standardError = FileHandle.nullDevice
            payee.environment = ProcessInfo.processInfo.environment.merging(Self.env) { _, b in b }
            try payee.run()
            defer { if payee.isRunning { payee.terminate() } }
            var request: String?
            for _ in 0..<200 where request == nil {
                try await Task.sleep(for: .milliseconds(100))
                request = (try? String(contentsOfFile: outPath, encoding: .utf8))?.split(separator: "\n").last.map(String.init).flatMap { $0.hasPrefix("CREQB1") ? $0 : nil }
            }
            let creq = try #require(request)
            let decoded = try PaymentRequest.parse(creq)
            let transport = try #require(decoded.transports?.first)
            #expect(decoded.amount == 120 && decoded.mints == [mint.url] && transport.type == "nostr" && transport.tags == [["n", "17"]])
            let profile = try NIP19.profile(transport.target)
            let bobNostr = try await Self.cashew(["--dir", bob, "pubkey", "--nostr"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(profile.relays == [relay.url] && [Hex.encode(profile.publicKey), NIP19.Profile(publicKey: profile.publicKey).encoded].contains(bobNostr))
            // Give the payee a moment to be on the relay (it would get the stored message anyway).
            try await Task.sleep(for: .milliseconds(500))
            let paid = try await Self.cashew(["--dir", alice, "pay-request", creq, "--json"])
            #expect(paid.status == 0, "\(paid.stderr)")
            #expect(try Self.json(paid.stdout)["transport"] as? String == "nostr")
            for _ in 0..<300 where payee.isRunning { try await Task.sleep(for: .milliseconds(100)) }
            #expect(!payee.isRunning && payee.terminationStatus == 0)
            #expect(try await WalletCLITests.balance(bob, mint.url) == 120)
            #expect(try await WalletCLITests.balance(alice, mint.url) == 180)
            // The request is paid: nothing left open.
            let check = try await Self.cashew(["--dir", bob, "check", "--requests", "--json"])
            #expect(check.status == 0, "\(check.stderr)")
            #expect(try Self.json(check.stdout)["open"] as? Int == 0)
        }
    }

    @Test("a payee offline at payment time: check --requests receives the payment once; a second payment of the single-use request is left for its payer to take back; a short one is refused")
    func payeeOffline() async throws {
        try await Self.with { mint, relay, alice, bob in
            let made = try await Self.cashew(["--dir", bob, "request", "50", "--nostr", relay.url, "--no-wait"])
            #expect(made.status == 0, "\(made.stderr)")
            let creq = try #require(made.stdout.split(separator: "\n").last.map(String.init))
            #expect(try await Self.cashew(["--dir", alice, "pay-request", creq]).status == 0)
            let first = try await Self.cashew(["--dir", bob, "check", "--requests", "--json"])
            #expect(first.status == 0, "\(first.stderr)")
            let received = try #require(try Self.json(first.stdout)["received"] as? [[String: Any]])
            #expect(received.count == 1 && received.first?["amount"] as? Int == 50)
            #expect(try await WalletCLITests.balance(bob, mint.url) == 50)
            // Looking again receives nothing more.
            let again = try await Self.json(try Self.cashew(["--dir", bob, "check", "--requests", "--json"]).stdout)
            #expect((again["received"] as? [Any])?.isEmpty == true && (again["refused"] as? [Any])?.isEmpty == true)

            // Alice pays the same single-use request again: Bob leaves it, and Alice takes it back.
            #expect(try await Self.cashew(["--dir", alice, "pay-request", creq]).status == 0)
            #expect(try await WalletCLITests.balance(alice, mint.url) == 200)
            let second = try await Self.json(try Self.cashew(["--dir", bob, "check", "--requests", "--json"]).stdout)
            #expect((second["received"] as? [Any])?.isEmpty == true)
            // (The request is paid, so it is no longer looked for: nothing is refused either.)
            #expect(try await WalletCLITests.balance(bob, mint.url) == 50)
            let reclaimed = try await Self.cashew(["--dir", alice, "--mint", mint.url, "reclaim", "--all"])
            #expect(reclaimed.status == 0, "\(reclaimed.stderr)")
            #expect(try await WalletCLITests.balance(alice, mint.url) == 250)

            // A payment smaller than asked, sent straight to the relay by a wallet that does not play by the rules.
            let open = try await Self.cashew(["--dir", bob, "request", "40", "--nostr", relay.url, "--no-wait"])
            let request = try PaymentRequest.parse(try #require(open.stdout.split(separator: "\n").last.map(String.init)))
            let phrase = try await Self.cashew(["--dir", alice, "seed"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let store = try await WalletStore.open(path: alice + "/wallet.sqlite3")
            let wallet = try Wallet(store: store, mnemonic: try Mnemonic(phrase: phrase))
            let proofs = try await wallet.sendNetOfReceiveFee(amount: 30, mintURL: mint.url)
            let payload = PaymentRequestPayload(id: request.id, memo: nil, mint: mint.url, unit: .sat, proofs: proofs)
            _ = try await wallet.deliverOverNostr(payload, target: try #require(request.transports?.first?.target))
            try await store.close()
            // Bob looks again because a request is open: the short payment is refused, and so is the second payment
            // of the first request (which Alice took back meanwhile). Each is looked at once.
            let short = try await Self.json(try Self.cashew(["--dir", bob, "check", "--requests", "--json"]).stdout)
            let reasons = try #require(short["refused"] as? [[String: Any]]).compactMap { $0["reason"] as? String }.sorted()
            #expect(reasons.count == 2 && reasons[0].contains("smaller than requested") && reasons[1].contains("paid already"), "\(short)")
            #expect(short["open"] as? Int == 1)
            let last = try await Self.json(try Self.cashew(["--dir", bob, "check", "--requests", "--json"]).stdout)
            #expect((last["refused"] as? [Any])?.isEmpty == true && (last["received"] as? [Any])?.isEmpty == true)
            #expect(try await WalletCLITests.balance(bob, mint.url) == 50)
        }
    }

    @Test("a relay that is down: pay-request fails with one line and takes the e-cash back; request --nostr fails at once")
    func relayDown() async throws {
        try await Self.with { mint, _, alice, bob in
            let down = "ws://127.0.0.1:\(try FreePort.find())"
            let made = try await Self.cashew(["--dir", bob, "request", "70", "--nostr", down, "--no-wait"])
            #expect(made.status == 0, "\(made.stderr)")
            let creq = try #require(made.stdout.split(separator: "\n").last.map(String.init))
            let paid = try await Self.cashew(["--dir", alice, "pay-request", creq])
            #expect(paid.status != 0)
            let lines = paid.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            #expect(lines.count == 1 && lines[0].contains("could not deliver") && lines[0].contains(down) && lines[0].contains("taken back"), "\(paid.stderr)")
            #expect(try await WalletCLITests.balance(alice, mint.url) == 300)
            let started = ContinuousClock.now
            let waited = try await Self.cashew(["--dir", bob, "request", "70", "--nostr", down])
            #expect(waited.status != 0 && waited.stderr.contains("no Nostr relay could be reached"), "\(waited.stderr)")
            #expect(ContinuousClock.now - started < .seconds(60))
            let checked = try await Self.cashew(["--dir", bob, "check", "--requests"])
            #expect(checked.status != 0 && checked.stderr.contains("no Nostr relay answered"), "\(checked.stderr)")
            let bad = try await Self.cashew(["--dir", bob, "request", "70", "--nostr", "http://127.0.0.1:1"])
            #expect(bad.status != 0 && bad.stderr.contains("ws://"), "\(bad.stderr)")
        }
    }
}

/// A payment's unit is its proofs' (by their keysets), not the one the payload claims.
@Suite("Payment request units")
struct PaymentRequestUnitTests {
    @Test("a usd request paid with sat proofs that claim to be usd is refused, and nothing is received")
    func unitFromKeysets() async throws {
        let mint = try await CashewMintProcess(environment: ["CASHEW_UNITS": "sat,usd"])
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-unit-\(UUID().uuidString)").path
        defer {
            _ = mint.stop()
            mint.removeData()
            try? FileManager.default.removeItem(atPath: root)
        }
        #expect(try await WalletCLITests.cashew(["--dir", root + "/alice", "--mint", mint.url, "mint", "100"]).status == 0)
        let sent = try await WalletCLITests.cashew(["--dir", root + "/alice", "--mint", mint.url, "send", "50"])
        let token = try Token(decoding: try #require(sent.stdout.split(separator: "\n").last.map(String.init)))
        try FileManager.default.createDirectory(atPath: root + "/bob", withIntermediateDirectories: true)
        let store = try await WalletStore.open(path: root + "/bob/wallet.sqlite3")
        let bob = Wallet(store: store, seed: try Mnemonic.generate().seed())
        let request = PaymentRequest(id: "u1", amount: 50, unit: CurrencyUnit("usd"), singleUse: true, mints: [mint.url], description: nil, transports: nil, nut10: nil)
        // Full keyset IDs, as a NUT-18 payload carries them.
        let keysets = try await MintClient(url: mint.url).keysets().keysets.map(\.id)
        let proofs = try token.proofs.map { var p = $0; p.id = try p.id.resolve(among: keysets); return p }
        let payload = PaymentRequestPayload(id: "u1", memo: nil, mint: mint.url, unit: CurrencyUnit("usd"), proofs: proofs)
        await #expect { _ = try await bob.acceptPayment(payload, for: request) } throws: { "\($0)".contains("in sat, not usd") }
        #expect(try await bob.balance(mintURL: mint.url, unit: .sat) == 0)
        try await store.close()
    }
}
