import Bolt11
import CashewWallet
import CashewEncoding
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

/// The `cashew` command as a person or a script uses it, against a `cashew-mint` process.
@Suite("cashew CLI end to end")
struct WalletCLITests {
    static let executable: String = {
        let candidate = (CashewMintProcess.executable as NSString).deletingLastPathComponent + "/cashew"
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : Interop.packageRoot + "/.build/debug/cashew"
    }()

    static func cashew(_ args: [String], env: [String: String] = [:]) async throws -> Interop.Output {
        try await Interop.run(executable, args, environment: env)
    }

    static func balance(_ dir: String, _ mint: String) async throws -> Int? {
        let out = try await cashew(["--dir", dir, "--mint", mint, "balance", "--json"])
        guard out.status == 0, let object = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any] else { return nil }
        return object["balance"] as? Int
    }

    @Test("mint, send, receive (twice: refused), pay, history, seed, restore; errors are one line with a non-zero exit")
    func scriptableContract() async throws {
        try await CashewMintProcess.withScratch("cashew-cli") { mint, root in
            let (alice, bob, carol) = (root + "/alice", root + "/bob", root + "/carol")

            let minted = try await Self.cashew(["--dir", alice, "--mint", mint.url, "mint", "500"])
            #expect(minted.status == 0, "\(minted.stderr)")
            #expect(minted.stderr.contains("seed phrase"))  // shown once, on first use
            #expect(try await Self.balance(alice, mint.url) == 500)

            // The mint URL can also come from the environment; the token is the last line of standard output.
            let sent = try await Self.cashew(["send", "120", "--dir", alice], env: ["CASHEW_MINT_URL": mint.url])
            #expect(sent.status == 0, "\(sent.stderr)")
            let token = try #require(sent.stdout.split(separator: "\n").last.map(String.init))
            #expect(token.hasPrefix("cashuB"))
            #expect(try await Self.balance(alice, mint.url) == 380)

            let received = try await Self.cashew(["--dir", bob, "receive", token])
            #expect(received.status == 0, "\(received.stderr)")
            #expect(try await Self.balance(bob, mint.url) == 120)
            let again = try await Self.cashew(["--dir", bob, "receive", token])
            #expect(again.status != 0)
            let errorLines = again.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            #expect(errorLines.count == 1 && errorLines[0].contains("11001"), "\(again.stderr)")
            #expect(try await Self.balance(bob, mint.url) == 120)

            // Pay 50 sat: fee reserve 2, the fake node charges 1, the rest comes back as change.
            let invoice = try Invoice.Builder(amountMsat: 50_000, paymentHash: SecureRandom.bytes(32), paymentSecret: SecureRandom.bytes(32), description: "tea")
                .sign(with: .random()).bolt11
            let paid = try await Self.cashew(["--dir", alice, "--mint", mint.url, "pay", invoice, "--json"])
            #expect(paid.status == 0, "\(paid.stderr)")
            #expect(paid.stdout.contains(#""state":"PAID""#))
            #expect(try await Self.balance(alice, mint.url) == 329)
            let history = try await Self.cashew(["--dir", alice, "history"])
            #expect(history.stdout.contains("melted") && history.stdout.contains("sent") && history.stdout.contains("minted"))

            // Alice also receives (from Bob) before her wallet is "deleted".
            let fromBob = try await Self.cashew(["--dir", bob, "send", "20"])
            #expect(fromBob.status == 0, "\(fromBob.stderr)")
            #expect(try await Self.cashew(["--dir", alice, "receive", try #require(fromBob.stdout.split(separator: "\n").last.map(String.init))]).status == 0)
            #expect(try await Self.balance(alice, mint.url) == 349)

            // A new directory restored from Alice's phrase finds exactly her unspent balance.
            let phrase = try await Self.cashew(["--dir", alice, "seed"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(phrase.split(separator: " ").count == 12)
            let restored = try await Self.cashew(["--dir", carol, "--mint", mint.url, "restore"], env: ["CASHEW_MNEMONIC": phrase])
            #expect(restored.status == 0, "\(restored.stderr)")
            #expect(try await Self.balance(carol, mint.url) == 349)

            for bad in [["receive", "cashuBgarbage"], ["send", "100000"], ["pay", "lnbc1nonsense"], ["restore", "--mnemonic", "not a phrase"]] {
                let out = try await Self.cashew(["--dir", bad[0] == "restore" ? root + "/dave" : alice, "--mint", mint.url] + bad)
                #expect(out.status != 0, "\(bad)")
                #expect(out.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }.count == 1, "\(bad): \(out.stderr)")
            }
            #expect(try await Self.balance(alice, mint.url) == 349)
        }
    }

    @Test("request --listen prints a creqA request as its last line, takes one payment from pay-request, and exits (--locked: paid with a token locked to the receiver's key, printed as NUT-26 CREQB1 with --bech32, at a mint with input fees: the receiver keeps the amount asked)",
          arguments: [false, true])
    func paymentRequests(locked: Bool) async throws {
        // The locked run's mint charges 1 sat per input (1000 ppk): the receiver must still keep what it asked.
        let mint = try await CashewMintProcess(environment: locked ? ["CASHEW_INPUT_FEE_PPK": "1000"] : [:])
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-creq-\(UUID().uuidString)").path
        defer {
            _ = mint.stop()
            mint.removeData()
            try? FileManager.default.removeItem(atPath: root)
        }
        let (alice, bob) = (root + "/alice", root + "/bob")
        #expect(try await Self.cashew(["--dir", alice, "--mint", mint.url, "mint", "300"]).status == 0)
        // Bob knows the mint (the request names it) before he asks.
        #expect(try await Self.cashew(["--dir", bob, "mints", "add", mint.url]).status == 0)

        let port = try FreePort.find()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let outPath = root + "/request.out"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        let listener = Process()
        listener.executableURL = URL(fileURLWithPath: Self.executable)
        listener.arguments = ["--dir", bob, "request", "120", "--listen", String(port), "--description", "pizza"] + (locked ? ["--locked", "--bech32"] : [])
        listener.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        listener.standardError = FileHandle.nullDevice
        try listener.run()
        defer { if listener.isRunning { listener.terminate() } }
        var request: String?
        for _ in 0..<100 where request == nil {
            try await Task.sleep(for: .milliseconds(100))
            request = (try? String(contentsOfFile: outPath, encoding: .utf8))?.split(separator: "\n").last.map(String.init).flatMap { $0.hasPrefix(locked ? "CREQB1" : "creqA") ? $0 : nil }
        }
        let creq = try #require(request)
        let decoded = try PaymentRequest.parse(creq)
        #expect(decoded.amount == 120 && decoded.mints == [mint.url] && decoded.transports?.first?.target == "http://127.0.0.1:\(port)/")
        let bobKey = try await Self.cashew(["--dir", bob, "pubkey"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(decoded.nut10 == (locked ? PaymentRequest.NUT10Option(kind: "P2PK", data: bobKey) : nil))

        let paid = try await Self.cashew(["--dir", alice, "pay-request", creq])
        #expect(paid.status == 0, "\(paid.stderr)\n\(paid.stdout)")
        for _ in 0..<100 where listener.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!listener.isRunning && listener.terminationStatus == 0)
        if locked {
            // Net of the input fee of Bob's swap: at least the 120 asked (the payer covered the fee); Alice paid
            // that and her own swaps' fees.
            let received = try #require(try await Self.balance(bob, mint.url))
            #expect(received >= 120 && received <= 126, "\(received)")
            #expect(try await #require(try Self.balance(alice, mint.url)) <= 300 - received)
        } else {
            #expect(try await Self.balance(bob, mint.url) == 120)
            #expect(try await Self.balance(alice, mint.url) == 180)
        }
        if locked {
            // What Alice paid was locked to Bob's key: her history's token is useless to anyone else.
            let history = try await Self.cashew(["--dir", alice, "history", "--json"]).stdout
            let entries = try #require((try JSONSerialization.jsonObject(with: Data(history.utf8)) as? [String: Any])?["history"] as? [[String: Any]])
            let sent = try Token(decoding: try #require(entries.first { $0["kind"] as? String == "sent" }?["token"] as? String))
            #expect(try sent.proofs.allSatisfy { try WellKnownSecret(parsing: $0.secret).data == bobKey })
        }
        // (Paying again would wait for the HTTP deadline against a closed port: not worth the test time.)

        // A mint that gave up waiting (timeout 0) is resumed with --quote once the invoice is paid.
        let gaveUp = try await Self.cashew(["--dir", bob, "mint", "30", "--timeout", "0", "--json"])
        #expect(gaveUp.status != 0)
        let first = try #require(gaveUp.stdout.split(separator: "\n").first.map { Data($0.utf8) })
        let quoteID = try #require((try JSONSerialization.jsonObject(with: first) as? [String: Any])?["quote"] as? String)
        try await Task.sleep(for: .milliseconds(1500))
        let resumed = try await Self.cashew(["--dir", bob, "mint", "--quote", quoteID])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try await Self.balance(bob, mint.url) == 150)
        #expect(try await Self.cashew(["--dir", bob, "mint", "--quote", quoteID]).status != 0)
    }

    @Test("an operation left open by a crash is settled when the wallet next talks to that mint")
    func resumesAtStart() async throws {
        try await CashewMintProcess.withScratch("cashew-resume") { mint, dir in
            #expect(try await Self.cashew(["--dir", dir, "--mint", mint.url, "mint", "64"]).status == 0)
            // A send that reserved its input and "crashed" before reaching the mint.
            let store = try await WalletStore.open(path: dir + "/wallet.sqlite3")
            do {
                let proof = try #require(try await store.proofs(mintURL: mint.url).first)
                let operation = try await store.beginOperation(.send, mintURL: mint.url, data: #"{"outputs":[]}"#, inputs: [proof.y])
                try await store.markSent(operation.id)
            } catch {
                try? await store.close()
                throw error
            }
            try await store.close()
            let out = try await Self.cashew(["--dir", dir, "--mint", mint.url, "balance", "--json"])
            #expect(out.stderr.contains("rolledBack"), "\(out.stderr)")
            #expect(try await Self.balance(dir, mint.url) == 64)
        }
    }

    @Test("locked tokens on the command line: P2PK, blinded, locktime and refund, HTLC, multisig co-signing; bad lock options")
    func lockedTokens() async throws {
        try await CashewMintProcess.withScratch("cashew-lock") { mint, root in
            let (alice, bob, carol) = (root + "/alice", root + "/bob", root + "/carol")
            #expect(try await Self.cashew(["--dir", alice, "--mint", mint.url, "mint", "200"]).status == 0)
            for dir in [bob, carol] { #expect(try await Self.cashew(["--dir", dir, "mints", "add", mint.url]).status == 0) }
            let bobKey = try await Self.cashew(["--dir", bob, "pubkey"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let carolKey = try await Self.cashew(["--dir", carol, "pubkey", "--json"]).stdout
            let carolHex = try #require((try JSONSerialization.jsonObject(with: Data(carolKey.utf8)) as? [String: Any])?["pubkey"] as? String)
            #expect(bobKey.count == 66 && (try? Point(hex: bobKey)) != nil)

            func send(_ args: [String]) async throws -> String {
                let out = try await Self.cashew(["--dir", alice, "send"] + args)
                #expect(out.status == 0, "\(args): \(out.stderr)")
                return try #require(out.stdout.split(separator: "\n").last.map(String.init))
            }
            func refused(_ dir: String, _ token: String, _ extra: [String] = [], contains text: String = "locked") async throws {
                let out = try await Self.cashew(["--dir", dir, "receive", token] + extra)
                #expect(out.status != 0)
                let errors = out.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
                #expect(errors.count == 1 && errors[0].contains(text), "\(out.stderr)")
            }
            func received(_ dir: String, _ token: String, _ extra: [String] = []) async throws {
                let out = try await Self.cashew(["--dir", dir, "receive", token] + extra)
                #expect(out.status == 0, "\(out.stderr)")
            }

            // P2PK, plain and blinded (also in nutshell's P2BK:KEY form).
            let plain = try await send(["20", "--lock", bobKey])
            // `decode` shows the lock, offline.
            #expect(try await Self.cashew(["decode", plain]).stdout.contains("locked: P2PK to 1 of \(bobKey)"))
            let decoded = try await Self.cashew(["decode", plain, "--json"]).stdout
            let proofs = try #require((try JSONSerialization.jsonObject(with: Data(decoded.utf8)) as? [String: Any])?["proofs"] as? [[String: Any]])
            #expect(proofs.allSatisfy { ($0["lock"] as? [String: Any])?["keys"] as? [String] == [bobKey] })
            try await refused(carol, plain)
            try await received(bob, plain)
            let blinded = try await send(["10", "--lock", "P2BK:" + bobKey])
            #expect(try Token(decoding: blinded).proofs.allSatisfy { $0.p2pkEphemeralKey != nil })
            try await refused(carol, blinded)
            try await received(bob, blinded)
            #expect(try await Self.balance(bob, mint.url) == 30)

            // An expired locktime opens the refund pathway: Alice (the default refund key) takes it back, Carol cannot.
            let expired = try await send(["5", "--lock", bobKey, "--locktime", "1000"])
            let aliceKey = try await Self.cashew(["--dir", alice, "pubkey"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try await Self.cashew(["decode", expired]).stdout.contains("also 1 of \(aliceKey)"))
            try await refused(carol, expired)
            try await received(alice, expired)
            // An active one keeps it Bob's.
            let active = try await send(["5", "--lock", bobKey, "--timelock", "3600"])
            try await refused(alice, active)
            try await received(bob, active)

            // HTLC: the preimage unlocks, with Bob's signature.
            let pre = try await Self.cashew(["preimage", "--json"])
            let pair = try #require(try JSONSerialization.jsonObject(with: Data(pre.stdout.utf8)) as? [String: String])
            let htlc = try await send(["8", "--hashlock", try #require(pair["hash"]), "--lock", bobKey])
            try await refused(bob, htlc)
            try await refused(carol, htlc, ["--preimage", try #require(pair["preimage"])])
            try await received(bob, htlc, ["--preimage", try #require(pair["preimage"])])

            // 2-of-2: Bob co-signs, Carol receives.
            let multisig = try await send(["6", "--lock", bobKey, "--lock", carolHex, "--n-sigs", "2"])
            try await refused(carol, multisig)
            let cosigned = try await Self.cashew(["--dir", bob, "sign", multisig])
            #expect(cosigned.status == 0, "\(cosigned.stderr)")
            try await received(carol, try #require(cosigned.stdout.split(separator: "\n").last.map(String.init)))
            #expect(try await Self.balance(carol, mint.url) == 6)
            #expect(try await Self.balance(bob, mint.url) == 43)
            #expect(try await Self.balance(alice, mint.url) == 200 - 20 - 10 - 5 - 8 - 6)

            // Bad lock options: one-line errors, nothing spent.
            for bad in [["3", "--n-sigs", "2"], ["3", "--lock", "nothex"], ["3", "--lock", bobKey, "--n-sigs", "2"], ["3", "--hashlock", "abcd"],
                        ["3", "--lock", bobKey, "--refund", carolHex]] {
                let out = try await Self.cashew(["--dir", alice, "send"] + bad)
                #expect(out.status != 0, "\(bad)")
                #expect(out.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }.count == 1, "\(bad): \(out.stderr)")
            }
            #expect(try await Self.balance(alice, mint.url) == 151)
        }
    }
}

/// The seed phrase is a user's only backup: however many `cashew` processes start at once on a new wallet
/// directory, one phrase is written (mode 0600), and every process uses that one.
@Suite("cashew seed file")
struct WalletSeedFileTests {
    @Test("six cashew processes starting at once on a new wallet directory end up with a single seed phrase, six rounds")
    func concurrentFirstUse() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-seed-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for round in 0..<6 {
            let dir = root + "/w\(round)"
            let phrases = await withTaskGroup(of: String?.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        guard let out = try? await WalletCLITests.cashew(["--dir", dir, "seed"]), out.status == 0 else { return nil }
                        return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                    }
                }
                return await group.reduce(into: [String?]()) { $0.append($1) }
            }
            let file = try String(contentsOfFile: dir + "/mnemonic", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(phrases.allSatisfy { $0 == file }, "round \(round): \(Set(phrases.map { $0 ?? "failed" }).count) different answers")
            #expect(file.split(separator: " ").count == 12)
            let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/mnemonic")
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
    }
}
