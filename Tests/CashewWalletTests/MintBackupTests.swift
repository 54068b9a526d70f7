import CashewEncoding
import CashewNostr
import CashewWallet
import CashuCrypto
import CashuProtocol
import Foundation
import Secp256k1
import TestSupport
import Testing

/// NUT-27: the backup key of the spec's vector, and `cashew backup` / `cashew restore --relay` through a real relay.
@Suite("NUT-27 mint backup on Nostr")
struct MintBackupTests {
    @Test("the backup key is SHA-256(seed ‖ \"cashu-mint-backup\"): the spec's vector; its event decrypts with that key alone", arguments: try Vectors.cases("nut27"))
    func vector(_ v: JSONValue) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-nut27-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try await WalletStore.open(path: dir + "/wallet.sqlite3")
        let wallet = try Wallet(store: store, mnemonic: try Mnemonic(phrase: v.string("input", "mnemonic")))
        let key = try wallet.mintBackupKey()
        #expect(Hex.encode(key.bytes) == v.string("expected", "secret_key"))
        #expect(Hex.encode(try key.publicPoint.xOnly) == v.string("expected", "public_key"))
        // Not the wallet's NIP-06 Nostr key: a backup says nothing about who receives payments.
        #expect(try wallet.nostrKey() != key)
        let event = try wallet.mintBackupEvent(mints: ["https://mint.example.com", "https://another-mint.org"], now: 1_703_721_600)
        try event.verify()
        #expect(event.kind == 30078 && event.pubkey == v.string("expected", "public_key") && event.tags.first == ["d", "mint-list"])
        let plain = try NIP44.decrypt(event.content, conversationKey: try NIP44.conversationKey(secretKey: key.bytes, publicKey: try key.publicPoint.xOnly))
        #expect(plain == #"{"mints":["https://mint.example.com","https://another-mint.org"],"timestamp":1703721600}"#)
        try await store.close()
    }

    @Test("cashew backup, then restore --relay in a new directory: both mints of the newer backup found on the relay and restored; a relay that is down is one line",
          .enabled(if: NostrRelayServer.available || Interop.required))
    func backupAndRestore() async throws {
        let (a, b) = (try await CashewMintProcess(), try await CashewMintProcess())
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-backup-\(UUID().uuidString)").path
        defer {
            for m in [a, b] {
                _ = m.stop()
                m.removeData()
            }
            try? FileManager.default.removeItem(atPath: root)
        }
        // Relays get two minutes to answer: the full test run starves processes for tens of seconds.
        func cashew(_ args: [String]) async throws -> Interop.Output { try await WalletCLITests.cashew(args, env: ["CASHEW_NOSTR_TIMEOUT": "120"]) }
        try await NostrRelayServer.with { relay in
            let (alice, phone, laptop) = (root + "/alice", root + "/phone", root + "/laptop")
            #expect(try await cashew(["--dir", alice, "--mint", a.url, "mint", "100"]).status == 0)
            let first = try await cashew(["--dir", alice, "backup", "--relay", relay.url, "--json"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])["mints"] as? [String] == [a.url])
            // Later the wallet uses a second mint and backs up again: the relay keeps only the newer list.
            #expect(try await cashew(["--dir", alice, "--mint", b.url, "mint", "40"]).status == 0)
            try await Task.sleep(for: .seconds(1.1))  // a newer created_at
            #expect(try await cashew(["--dir", alice, "backup", "--relay", relay.url]).status == 0)
            let phrase = try await cashew(["--dir", alice, "seed"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

            let restored = try await Interop.run(WalletCLITests.executable, ["--dir", phone, "restore", "--relay", relay.url, "--json"], environment: ["CASHEW_MNEMONIC": phrase, "CASHEW_NOSTR_TIMEOUT": "120"])
            #expect(restored.status == 0, "\(restored.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(restored.stdout.utf8)) as? [String: Any])
            let mints = try #require(json["mints"] as? [[String: Any]])
            #expect(Set(mints.compactMap { $0["mint"] as? String }) == [a.url, b.url])
            #expect(try await WalletCLITests.balance(phone, a.url) == 100)
            #expect(try await WalletCLITests.balance(phone, b.url) == 40)

            // Another seed has no backup there; a relay that is down is one line.
            let none = try await Interop.run(WalletCLITests.executable, ["--dir", laptop, "restore", "--relay", relay.url], environment: [
                "CASHEW_MNEMONIC": try Mnemonic.generate().phrase, "CASHEW_NOSTR_TIMEOUT": "120",
            ])
            #expect(none.status != 0 && none.stderr.contains("no mint backup"), "\(none.stderr)")
            let down = "ws://127.0.0.1:\(try FreePort.find())"
            let failed = try await cashew(["--dir", alice, "backup", "--relay", down])
            let lines = failed.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            #expect(failed.status != 0 && lines.count == 1 && lines[0].contains(down), "\(failed.stderr)")
        }
    }
}
