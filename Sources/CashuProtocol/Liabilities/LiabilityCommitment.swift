import Crypto
import Foundation

/// The per-epoch commitments of the Proof of Liabilities draft (cashubtc/nuts PR #388, as its latest test vectors
/// give them, with `unit`; Specs/audit.md, "Proof of liabilities"): one leaf per keyset over its two sum-MMRs, a
/// Merkle tree of the leaves, the chained global digest, and the colon-joined manifest each keyset's signature
/// covers.
public enum LiabilityCommitment {
    /// One keyset's state at the close of an epoch.
    public struct Keyset: Sendable, Hashable {
        public var id: String
        public var unit: String
        public var issuedSize: UInt64
        public var issuedRoot: SumMMR.Node
        public var spentSize: UInt64
        public var spentRoot: SumMMR.Node
        public var active: Bool
        public var deactivationEpoch: UInt64

        public init(
            id: String, unit: String, issuedSize: UInt64, issuedRoot: SumMMR.Node, spentSize: UInt64, spentRoot: SumMMR.Node, active: Bool,
            deactivationEpoch: UInt64
        ) {
            self.id = id
            self.unit = unit
            self.issuedSize = issuedSize
            self.issuedRoot = issuedRoot
            self.spentSize = spentSize
            self.spentRoot = spentRoot
            self.active = active
            self.deactivationEpoch = deactivationEpoch
        }

        /// issued − spent (what the keyset's holders are owed); negative would mean more spent than issued.
        public var outstanding: Int128 { Int128(issuedRoot.sum) - Int128(spentRoot.sum) }

        /// `SHA-256("Cashu_PoL_Keyset_Leaf_v1" ‖ u16 len ‖ id ‖ u16 len ‖ unit ‖ u64 issued size ‖ issued hash ‖ u64 issued
        /// sum ‖ u64 spent size ‖ spent hash ‖ u64 spent sum ‖ u8 active ‖ u64 deactivation epoch)`, big-endian.
        public var leafHash: [UInt8] {
            var data = Array("Cashu_PoL_Keyset_Leaf_v1".utf8)
            for text in [id, unit] {
                let bytes = Array(text.utf8)
                data += LiabilityCommitment.be(UInt16(clamping: bytes.count)) + bytes
            }
            data += LiabilityCommitment.be(issuedSize) + issuedRoot.hash + LiabilityCommitment.be(issuedRoot.sum)
            data += LiabilityCommitment.be(spentSize) + spentRoot.hash + LiabilityCommitment.be(spentRoot.sum)
            data += [active ? 1 : 0] + LiabilityCommitment.be(deactivationEpoch)
            return Array(SHA256.hash(data: data))
        }

        /// The message the mint signs for this keyset in epoch `epoch` (BIP-340 over its SHA-256).
        public func manifestMessage(epoch: UInt64, timestamp: UInt64, previousDigest: [UInt8]) -> String {
            [
                id, unit, String(epoch), LiabilityCommitment.rfc3339(timestamp), Self.hex(previousDigest), String(issuedSize), Self.hex(issuedRoot.hash),
                String(issuedRoot.sum), String(spentSize), Self.hex(spentRoot.hash), String(spentRoot.sum), String(outstanding), active ? "true" : "false",
                String(deactivationEpoch),
            ].joined(separator: ":")
        }

        static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    }

    /// The Merkle root over the keysets' leaves in order (unit, then ID, bytewise): nodes
    /// `SHA-256("Cashu_PoL_Keyset_Node_v1" ‖ left ‖ right)`, an odd level's last hash paired with itself, one leaf its own
    /// root, none `SHA-256("Cashu_PoL_Keyset_Empty_v1")`.
    public static func keysetRoot(_ keysets: [Keyset]) -> [UInt8] {
        var level = sorted(keysets).map(\.leafHash)
        guard !level.isEmpty else { return Array(SHA256.hash(data: Array("Cashu_PoL_Keyset_Empty_v1".utf8))) }
        while level.count > 1 {
            var next = [[UInt8]]()
            for i in stride(from: 0, to: level.count, by: 2) {
                let left = level[i], right = i + 1 < level.count ? level[i + 1] : level[i]
                next.append(Array(SHA256.hash(data: Array("Cashu_PoL_Keyset_Node_v1".utf8) + left + right)))
            }
            level = next
        }
        return level[0]
    }

    /// Keysets in the commitment's order: by unit, then ID, comparing UTF-8 bytes.
    public static func sorted(_ keysets: [Keyset]) -> [Keyset] {
        keysets.sorted {
            $0.unit == $1.unit ? $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) : $0.unit.utf8.lexicographicallyPrecedes($1.unit.utf8)
        }
    }

    /// `SHA-256("Cashu_PoL_Epoch_v1" ‖ previous digest ‖ u64 epoch ‖ u16 keyset count ‖ keyset root)`: chains the epochs.
    public static func globalDigest(previous: [UInt8], epoch: UInt64, keysets: [Keyset]) -> [UInt8] {
        Array(SHA256.hash(data: Array("Cashu_PoL_Epoch_v1".utf8) + previous + be(epoch) + be(UInt16(clamping: keysets.count)) + keysetRoot(keysets)))
    }

    /// What the mint signs for a manifest message: its SHA-256.
    public static func messageDigest(_ message: String) -> [UInt8] { Array(SHA256.hash(data: Array(message.utf8))) }

    static func be<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    /// A value the manifest cannot carry (an outstanding balance outside Int64).
    public struct OutOfRangeError: Error, Sendable {
        public init() {}
    }

    /// Parses the manifest's timestamp (RFC 3339, UTC, whole seconds, `Z`); nil for any other form.
    public static func parseRFC3339(_ text: String) -> UInt64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        guard text.hasSuffix("Z"), let date = formatter.date(from: text), date.timeIntervalSince1970 >= 0 else { return nil }
        let seconds = UInt64(date.timeIntervalSince1970)
        return rfc3339(seconds) == text ? seconds : nil
    }

    /// RFC 3339, UTC, whole seconds, `Z`.
    public static func rfc3339(_ t: UInt64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
    }
}
