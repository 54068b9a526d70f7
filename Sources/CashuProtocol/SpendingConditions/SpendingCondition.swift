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
            throw SpendingConditionError(.malformedSecret, "malformed NUT-10 secret: duplicate \(name) tag.")
        }
        // Texts as nutshell words them: wallets show them to people and match on them.
        func parseKeys(_ texts: [String], pathway: String) throws -> [Point] {
            var seen = Set<[UInt8]>()
            var keys = [Point]()
            for text in texts {
                guard text.utf8.count == 66, let key = try? Point(hex: text) else {
                    throw SpendingConditionError(.malformedSecret, "malformed NUT-10 secret: invalid compressed public key.")
                }
                guard seen.insert(key.xOnly).inserted else {
                    throw SpendingConditionError(
                        .malformedSecret, keys.contains(key) ? "pubkeys must be unique." : "pubkeys must have unique x-coordinates.")
                }
                keys.append(key)
            }
            return keys
        }
        func count(_ name: String, keys: Int) throws -> Int {
            guard let values = try secret.uniqueTag(name) else { return 1 }
            guard values.count == 1, let n = Int(values[0]), n > 0, String(n) == values[0] else {
                throw SpendingConditionError(.malformedSecret, "malformed NUT-10 secret: \(name) must be a positive integer.")
            }
            guard n <= keys else { throw SpendingConditionError(.malformedSecret, "malformed NUT-10 secret: \(name) exceeds available pubkeys.") }
            return n
        }

        switch try secret.uniqueTag("sigflag") {
        case nil: signatureFlag = .sigInputs
        case let values?:
            guard values.count == 1, let flag = SignatureFlag(rawValue: values[0]) else {
                throw SpendingConditionError(.malformedSecret, "malformed NUT-10 secret: invalid sigflag tag.")
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
                throw SpendingConditionError(.malformedSecret, "malformed NUT-10 secret: invalid HTLC hash.")
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
    /// clock is greater than `locktime`. `now` is Unix time with its fraction, so a lock for t opens as soon as the
    /// clock passes t, not a second later.
    public func isExpired(now: Double) -> Bool {
        guard let locktime else { return false }
        return now > Double(locktime)
    }

    /// Checks a witness against the condition for the message the signatures must cover (the secret for
    /// SIG_INPUTS, the transaction for SIG_ALL). Throws what failed, in nutshell's words and with its counts: wallets
    /// show these texts to people and match on them.
    public func verify(witness: Witness?, message: [UInt8], now: Double) throws {
        let digest = Array(SHA256.hash(data: message))
        let signatures = witness?.signatures ?? []
        func unmet(_ text: String) -> SpendingConditionError { SpendingConditionError(.unmet, text) }
        /// `required` distinct keys of `pathway` must have signed.
        func checkSignatures(_ pathway: [Point], required: Int) throws {
            guard required > 0 else { return }
            guard !signatures.isEmpty else { throw unmet("no signatures in proof.") }
            guard pathway.count >= required, signatures.count >= required else {
                throw unmet("not enough pubkeys (\(pathway.count)) or signatures (\(signatures.count)) present for n_sigs (\(required)).")
            }
            let valid = pathway.reduce(0) { n, key in n + (signatures.contains { key.verifySchnorr($0, message: digest) } ? 1 : 0) }
            guard valid >= required else { throw unmet("signature threshold not met. \(valid) < \(required).") }
        }
        do {
            if let hashLock {
                // HTLC receiver pathway: the preimage, plus signatures when `pubkeys` names receivers.
                guard let text = witness?.preimage, !text.isEmpty else { throw unmet("no HTLC preimage provided") }
                guard text.utf8.count == 64 else { throw unmet("HTLC preimage must be 64 characters hex.") }
                guard let preimage = Hex.decode(text) else { throw unmet("invalid preimage for HTLC: not a hex string.") }
                guard Array(SHA256.hash(data: preimage)) == hashLock else { throw unmet("HTLC preimage does not match.") }
                if !keys.isEmpty { try checkSignatures(keys, required: requiredSignatures) }
            } else {
                try checkSignatures(keys, required: requiredSignatures)
            }
        } catch {
            guard isExpired(now: now) else { throw error }
            // Expired lock: the refund pathway opens, and its own failure is the one to report; without refund keys
            // anyone may spend.
            if refundKeys.isEmpty { return }
            try checkSignatures(refundKeys, required: requiredRefundSignatures)
        }
    }
}
