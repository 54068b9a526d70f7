import CashewEncoding
import Crypto
import FoundationEssentials
import Secp256k1

/// The rules of a P2PK (NUT-11) or HTLC (NUT-14) secret, validated: a main pathway (keys and how many must sign),
/// an optional locktime, and a refund pathway that opens when the locktime has passed.
public struct SpendingCondition: Sendable, Hashable {
    /// Which messages the signatures cover.
    public enum SignatureFlag: String, Sendable, Hashable {
        /// Each input signs its own secret (default).
        case sigInputs = "SIG_INPUTS"
        /// The first input signs the whole transaction.
        case sigAll = "SIG_ALL"
    }

    /// The parsed secret.
    public let secret: WellKnownSecret
    public let signatureFlag: SignatureFlag
    /// Keys of the main pathway: for P2PK the `data` key then `pubkeys`; for HTLC only `pubkeys`.
    public let keys: [Point]
    /// How many distinct main-pathway keys must sign (`n_sigs`, default 1).
    public let requiredSignatures: Int
    /// Unix time when the lock expires; nil when the lock is permanent (absent or not a valid time).
    public let locktime: UInt64?
    /// Keys of the refund pathway.
    public let refundKeys: [Point]
    /// How many distinct refund keys must sign (`n_sigs_refund`, default 1).
    public let requiredRefundSignatures: Int
    /// For HTLC: the SHA-256 hash lock (32 bytes).
    public let hashLock: [UInt8]?

    /// The tags NUT-11 allows at most once.
    static let singleTags = ["sigflag", "pubkeys", "n_sigs", "locktime", "refund", "n_sigs_refund"]

    /// Validates a P2PK or HTLC secret by NUT-11's malformed-secret rules: each known tag at most once; `sigflag`
    /// one of the two flags; keys compressed points, none twice in a pathway (compared by x coordinate);
    /// `n_sigs`/`n_sigs_refund` positive integers no larger than their pathway. Returns nil for other kinds.
    public init?(_ secret: WellKnownSecret) throws {
        guard secret.kind == .p2pk || secret.kind == .htlc else { return nil }
        for name in SpendingCondition.singleTags where secret.tags(named: name).count > 1 {
            throw SpendingConditionError(.malformedSecret, "tag \(name) appears more than once")
        }
        func parseKeys(_ texts: [String], pathway: String) throws -> [Point] {
            var seen = Set<[UInt8]>()
            return try texts.map { text in
                guard text.utf8.count == 66, let key = try? Point(hex: text) else {
                    throw SpendingConditionError(.malformedSecret, "\(pathway) key is not a compressed public key")
                }
                guard seen.insert(key.xOnly).inserted else {
                    throw SpendingConditionError(.malformedSecret, "\(pathway) pathway lists the same key twice")
                }
                return key
            }
        }
        func count(_ name: String, keys: Int) throws -> Int {
            guard let values = try secret.uniqueTag(name) else { return 1 }
            guard values.count == 1, let n = Int(values[0]), n > 0, String(n) == values[0] else {
                throw SpendingConditionError(.malformedSecret, "\(name) is not a positive integer")
            }
            guard n <= keys else { throw SpendingConditionError(.malformedSecret, "\(name) exceeds the keys of its pathway") }
            return n
        }

        switch try secret.uniqueTag("sigflag") {
        case nil: signatureFlag = .sigInputs
        case let values?:
            guard values.count == 1, let flag = SignatureFlag(rawValue: values[0]) else {
                throw SpendingConditionError(.malformedSecret, "unknown sigflag")
            }
            signatureFlag = flag
        }
        let extra = try secret.uniqueTag("pubkeys") ?? []
        if secret.kind == .p2pk {
            keys = try parseKeys([secret.data] + extra, pathway: "main")
            hashLock = nil
        } else {
            keys = try parseKeys(extra, pathway: "main")
            guard secret.data.utf8.count == 64, let lock = Hex.decode(secret.data) else {
                throw SpendingConditionError(.malformedSecret, "HTLC data is not a 32-byte hex hash")
            }
            hashLock = lock
        }
        requiredSignatures = try count("n_sigs", keys: keys.count)
        // "If the locktime tag is not present, or is not a valid unix time, the lock is considered permanent."
        locktime = try secret.uniqueTag("locktime").flatMap { $0.count == 1 ? UInt64($0[0]) : nil }
        refundKeys = try parseKeys(try secret.uniqueTag("refund") ?? [], pathway: "refund")
        requiredRefundSignatures = try count("n_sigs_refund", keys: refundKeys.count)
        self.secret = secret
    }

    /// True once the locktime has passed (never for a permanent lock): NUT-11 calls a lock expired when the mint's
    /// clock is greater than `locktime`.
    public func isExpired(now: UInt64) -> Bool {
        guard let locktime else { return false }
        return now > locktime
    }

    /// Checks a witness against the condition for the message the signatures must cover (the secret for
    /// SIG_INPUTS, the transaction for SIG_ALL). Throws a description of the unmet condition.
    public func verify(witness: Witness?, message: [UInt8], now: UInt64) throws {
        let digest = Array(SHA256.hash(data: message))
        let signatures = witness?.signatures ?? []
        func signers(_ pathway: [Point]) -> Int {
            pathway.reduce(0) { n, key in n + (signatures.contains { key.verifySchnorr($0, message: digest) } ? 1 : 0) }
        }
        var mainSatisfied: Bool
        if let hashLock {
            // HTLC receiver pathway: the preimage, plus signatures when `pubkeys` names receivers.
            var preimageOK = false
            if let text = witness?.preimage, text.utf8.count == 64, let preimage = Hex.decode(text) {
                preimageOK = Array(SHA256.hash(data: preimage)) == hashLock
            }
            mainSatisfied = preimageOK && (keys.isEmpty || signers(keys) >= requiredSignatures)
        } else {
            mainSatisfied = signers(keys) >= requiredSignatures
        }
        if mainSatisfied { return }
        if isExpired(now: now) {
            // Expired lock: the refund pathway opens; without refund keys anyone may spend.
            if refundKeys.isEmpty || signers(refundKeys) >= requiredRefundSignatures { return }
            throw SpendingConditionError(.unmet, "not enough valid signatures for the refund pathway")
        }
        throw SpendingConditionError(.unmet, hashLock != nil ? "HTLC preimage or signatures missing or invalid" : "not enough valid signatures")
    }
}
