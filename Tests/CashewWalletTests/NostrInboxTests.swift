import CashewWallet
import CashuCrypto
import Foundation
import Testing

/// The wallet's Nostr inbox remembers which gift wraps it handled, so that each is handled once. What paid nothing
/// (anyone can send messages to the wallet's key) is forgotten once no query of the wallet can fetch it again.
@Suite("Nostr inbox: what paid nothing is forgotten once no query can fetch it")
struct NostrInboxTests {
    @Test("checking requests prunes handled wraps dated over two days before the oldest open request (or now); received payments stay")
    func prune() async throws {
        try await WalletMeltRestoreTests.withStores(1) { stores in
            let store = stores[0]
            let wallet = try Wallet(store: store, mnemonic: try Mnemonic.generate(wordCount: 12))
            let now = UInt64(Date().timeIntervalSince1970)
            let day: UInt64 = 86_400
            func record(_ id: String, daysAgo: UInt64, received: Bool = false) async throws {
                try await store.recordInbox(
                    wrapID: id, createdAt: now - daysAgo * day, requestID: received ? "paid-request" : nil,
                    outcome: received ? "received" : "refused: a message that is not a payment", received: received ? 5 : nil)
            }
            func kept(_ ids: [String]) async throws -> [String] {
                var found = [String]()
                for id in ids where try await store.inboxHandled(id) { found.append(id) }
                return found
            }
            let all = ["spam-7d", "spam-5d", "spam-3d", "spam-1d", "paid-9d", "payment"]
            try await record("spam-7d", daysAgo: 7)
            try await record("spam-5d", daysAgo: 5)
            try await record("spam-3d", daysAgo: 3)
            try await record("spam-1d", daysAgo: 1)
            try await record("paid-9d", daysAgo: 9, received: true)

            // A request still open since four days ago: its payments may be dated up to six days back.
            try await store.saveRequest(WalletPaymentRequest(id: "open", request: "creqA", relays: ["ws://127.0.0.1:1"], createdAt: now - 4 * day))
            _ = try? await wallet.checkRequests()  // the relay is down; the inbox was pruned first
            #expect(try await kept(all) == ["spam-5d", "spam-3d", "spam-1d", "paid-9d"])

            // Paid (no open request left): only what a request made from now on could fetch is kept.
            try await store.recordInbox(wrapID: "payment", createdAt: now, requestID: "open", outcome: "received", received: 10)
            #expect(try await store.requests(open: true).isEmpty)
            #expect(try await wallet.checkRequests().paid.isEmpty)
            #expect(try await kept(all) == ["spam-1d", "paid-9d", "payment"])
        }
    }
}
