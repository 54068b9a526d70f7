import CashewEncoding
import CashuCrypto
import CashuProtocol
import Crypto
import Foundation
import Secp256k1

/// A community pool: e-cash locked n-of-m to its members' keys (NUT-11 P2PK, `SIG_ALL`), optionally with a refund
/// path after a locktime. Every member holds the same definition; the fingerprint lets them compare it.
public struct PoolDefinition: Codable, Sendable, Hashable {
    public var name: String
    public var mint: String
    public var unit: CurrencyUnit
    /// The members' public keys (compressed hex), in the order the lock lists them.
    public var members: [String]
    /// How many members must sign a spend.
    public var threshold: Int
    /// Unix time after which the refund keys may spend alone.
    public var locktime: UInt64?
    public var refund: [String]

    public init(name: String, mint: String, unit: CurrencyUnit, members: [String], threshold: Int, locktime: UInt64? = nil, refund: [String] = []) throws {
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw WalletError(.invalidInput, "a pool name is 1 to 64 letters, digits, '-', '_' or '.'")
        }
        var keys = [String]()
        for m in members {
            guard let point = try? Point(hex: m) else { throw WalletError(.invalidInput, "not a public key: \(m.prefix(80))") }
            guard !keys.contains(point.hex) else { throw WalletError(.invalidInput, "a member is listed twice: \(m.prefix(80))") }
            keys.append(point.hex)
        }
        guard keys.count >= 2 else { throw WalletError(.invalidInput, "a pool has at least two members") }
        guard threshold >= 1, threshold <= keys.count else { throw WalletError(.invalidInput, "the threshold is between 1 and \(keys.count)") }
        var refundKeys = [String]()
        for r in refund {
            guard let point = try? Point(hex: r) else { throw WalletError(.invalidInput, "not a public key: \(r.prefix(80))") }
            refundKeys.append(point.hex)
        }
        guard (locktime == nil) == refundKeys.isEmpty else { throw WalletError(.invalidInput, "a refund path needs both a locktime and refund keys") }
        self.name = name
        self.mint = mint
        self.unit = unit
        self.members = keys
        self.threshold = threshold
        self.locktime = locktime
        self.refund = refundKeys
        try lock.validate()
    }

    /// The lock every proof of the pool carries.
    public var lock: SpendingLock {
        SpendingLock(
            kind: .p2pk, keys: members.compactMap { try? Point(hex: $0) }, requiredSignatures: threshold, locktime: locktime,
            refundKeys: refund.compactMap { try? Point(hex: $0) }, signatureFlag: .sigAll)
    }

    /// Tells whether secrets are locked to exactly this pool (kind, data and tags; the nonce differs per proof).
    /// Built from one secret the lock makes, so taken once for many secrets; nil if the lock makes none.
    public var matcher: LockMatcher? {
        guard let reference = try? lock.outputs(count: 1).first.map({ try WellKnownSecret(parsing: $0.secret) }) else { return nil }
        return LockMatcher(kind: reference.kind, data: reference.data, tags: reference.tags)
    }

    /// Matches secrets locked to one pool.
    public struct LockMatcher: Sendable {
        let kind: WellKnownSecret.Kind
        let data: String
        let tags: [[String]]

        /// Whether `secret` has this pool's kind, data and tags.
        public func matches(_ secret: String) -> Bool {
            guard let parsed = try? WellKnownSecret.parse(secret) else { return false }
            return parsed.kind == kind && parsed.data == data && parsed.tags == tags
        }
    }

    /// A short hash of everything that makes the pool (not its name): members compare it to know they hold the
    /// same pool.
    public var fingerprint: String {
        // JSON of the fields (no separator a value could contain), 128 bits of its hash.
        let fields = JSONValue.array([
            .string(mint), .string(unit.rawValue), .array(members.map { .string($0) }), .int(Int64(threshold)), locktime.map { .uint($0) } ?? .null,
            .array(refund.map { .string($0) }),
        ])
        return Hex.encode(Array(SHA256.hash(data: fields.serializedBytes).prefix(16)))
    }

    /// The same pool: everything but the name.
    public func sameFunds(as other: PoolDefinition) -> Bool { fingerprint == other.fingerprint }
}
