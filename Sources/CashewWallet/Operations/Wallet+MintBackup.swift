import CashewEncoding
import CashewNostr
import Crypto
import Foundation
import Secp256k1

/// A mint list found on the relays (NUT-27).
public struct MintBackup: Sendable, Hashable {
    public var mints: [String]
    /// When the backup was made (its `timestamp`).
    public var timestamp: UInt64
}

extension Wallet {
    /// NUT-27's domain separator: the backup key is SHA-256(seed ‖ this), not a BIP-32 child.
    static let mintBackupDomain = "cashu-mint-backup"
    /// The addressable event's `d` tag: one backup per key, a newer one replaces it.
    static let mintBackupTag = "mint-list"
    /// NIP-78 application data (addressable).
    static let mintBackupKind = 30078

    /// The key the mint list is published and encrypted with (NUT-27).
    public func mintBackupKey() throws -> Scalar {
        try Scalar(bytes: Array(SHA256.hash(data: seed + Array(Self.mintBackupDomain.utf8))))
    }

    /// The NUT-27 event for `mints`: kind 30078, `d` = `mint-list`, content NIP-44 v2 encrypted to the backup key
    /// itself.
    public func mintBackupEvent(mints: [String], now: UInt64) throws -> NostrEvent {
        let key = try mintBackupKey()
        let plain = JSONValue.object([("mints", .array(mints.map { .string($0) })), ("timestamp", .uint(now))]).serialized
        let content = try NIP44.encrypt(plain, conversationKey: try NIP44.conversationKey(secretKey: key.bytes, publicKey: try key.publicPoint.xOnly))
        return try NostrEvent.signed(
            secretKey: key, createdAt: now, kind: Self.mintBackupKind, tags: [["d", Self.mintBackupTag], ["client", "cashew"]], content: content)
    }

    /// Publishes this wallet's mint list to `relays`; returns the list and the relays that took it.
    public func backupMints(relays: [String]) async throws -> (mints: [String], relays: [String]) {
        let mints = try await store.mints().map(\.url)
        guard !mints.isEmpty else { throw WalletError(.invalidInput, "this wallet knows no mint: nothing to back up") }
        let accepted = try await NostrRelays(relays, timeout: nostrTimeout).publish(try mintBackupEvent(mints: mints, now: Self.now()))
        return (mints, accepted)
    }

    /// The newest mint list this seed backed up on `relays` (nil when there is none). Events that do not decrypt
    /// with the backup key, or do not hold a mint list, are passed over.
    public func findMintBackup(relays: [String]) async throws -> MintBackup? {
        let key = try mintBackupKey()
        let me = Hex.encode(try key.publicPoint.xOnly)
        let conversation = try NIP44.conversationKey(secretKey: key.bytes, publicKey: try key.publicPoint.xOnly)
        let events = try await NostrRelays(relays, timeout: nostrTimeout).query([
            NostrFilter(authors: [me], kinds: [Self.mintBackupKind], tags: ["d": [Self.mintBackupTag]])
        ])
        for event in events.sorted(by: { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }) {
            guard let plain = try? NIP44.decrypt(event.content, conversationKey: conversation), let value = try? JSONValue(parsing: plain),
                  let list = value["mints"]?.arrayValue
            else { continue }
            let mints = list.compactMap(\.stringValue).filter { $0.hasPrefix("http://") || $0.hasPrefix("https://") }
            return MintBackup(mints: mints, timestamp: value["timestamp"]?.uint64Value ?? event.createdAt)
        }
        return nil
    }
}
