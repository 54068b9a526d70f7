import CashewEncoding
import CashewWallet
import CashuCrypto
import Foundation
import TestSupport
import Testing

/// The wallet's Nostr key: NIP-06's derivation from the seed phrase, checked with NIP-06's own vectors.
@Suite("Wallet Nostr key (NIP-06)")
struct WalletNostrKeyTests {
    static let vectors: [(mnemonic: String, secret: String, pubkey: String, npub: String)] = [
        ("leader monkey parrot ring guide accident before fence cannon height naive bean",
         "7f7ff03d123792d6ac594bfa67bf6d0c0ab55b6b1fdb6249303fe861f1ccba9a",
         "17162c921dc4d2518f9a101db33695df1afb56ab82f5ff3e5da6eec3ca5cd917",
         "npub1zutzeysacnf9rru6zqwmxd54mud0k44tst6l70ja5mhv8jjumytsd2x7nu"),
        ("what bleak badge arrange retreat wolf trade produce cricket blur garlic valid proud rude strong choose busy staff weather area salt hollow arm fade",
         "c15d739894c81a2fcfd3a2df85a0d2c0dbc47a280d092799f144d73d7ae78add",
         "d41b22899549e1f3d335a31002cfd382174006e166d3e658e3a5eecdb6463573",
         "npub16sdj9zv4f8sl85e45vgq9n7nsgt5qphpvmf7vk8r5hhvmdjxx4es8rq74h"),
    ]

    @Test("the NIP-06 vectors: secret and public key from the phrase; `cashew pubkey --nostr` prints the npub")
    func nip06() async throws {
        for v in Self.vectors {
            try await WalletMeltRestoreTests.withStores(1) { stores in
                let wallet = try Wallet(store: stores[0], mnemonic: try Mnemonic(phrase: v.mnemonic))
                #expect(try wallet.nostrKey().bytes == Hex.decode(v.secret))
                #expect(try wallet.nostrPublicKey() == Hex.decode(v.pubkey))
            }
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-nostr-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: dir + "/mnemonic", contents: Data((v.mnemonic + "\n").utf8), attributes: [.posixPermissions: 0o600])
            let out = try await WalletCLITests.cashew(["--dir", dir, "pubkey", "--nostr"])
            #expect(out.status == 0 && out.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == v.npub, "\(out.stdout)\(out.stderr)")
        }
    }
}
