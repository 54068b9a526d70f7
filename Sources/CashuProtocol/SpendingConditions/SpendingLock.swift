import CashewEncoding
import Crypto
import Secp256k1

/// What a sender locks new outputs to: a NUT-11 P2PK lock or a NUT-14 HTLC, optionally with NUT-28 blinded keys.
/// `outputs(count:)` turns it into the secrets of the outputs (each with its own nonce).
public struct SpendingLock: Sendable, Hashable {
    /// The lock's kind and main datum.
    public enum Kind: Sendable, Hashable {
        /// P2PK: the first of `keys` goes into `data`, the rest into `pubkeys`.
        case p2pk
        /// HTLC locked to SHA-256 `hash` (32 bytes); `keys` (if any) go into `pubkeys` and must sign with the preimage.
        case htlc(hash: [UInt8])
    }

    public var kind: Kind
    /// Keys of the main pathway (for P2PK at least one).
    public var keys: [Point]
    /// How many of `keys` must sign (`n_sigs`); nil leaves the tag out (one).
    public var requiredSignatures: Int?
    /// Unix time after which the refund pathway opens; nil for a permanent lock.
    public var locktime: UInt64?
    /// Keys that may spend once the locktime has passed (none: anyone may, as NUT-11 says).
    public var refundKeys: [Point]
    /// How many refund keys must sign (`n_sigs_refund`); nil leaves the tag out (one).
    public var requiredRefundSignatures: Int?
    public var signatureFlag: SpendingCondition.SignatureFlag
    /// NUT-28: blind every key with a fresh ephemeral key per output (one shared key for SIG_ALL).
    public var blinded: Bool

    public init(
        kind: Kind = .p2pk, keys: [Point], requiredSignatures: Int? = nil, locktime: UInt64? = nil, refundKeys: [Point] = [],
        requiredRefundSignatures: Int? = nil, signatureFlag: SpendingCondition.SignatureFlag = .sigInputs, blinded: Bool = false
    ) {
        self.kind = kind
        self.keys = keys
        self.requiredSignatures = requiredSignatures
        self.locktime = locktime
        self.refundKeys = refundKeys
        self.requiredRefundSignatures = requiredRefundSignatures
        self.signatureFlag = signatureFlag
        self.blinded = blinded
    }

    /// One locked output's secret and, for a blinded lock, the ephemeral public key that goes with the proof
    /// (`p2pk_e`).
    public struct Output: Sendable, Hashable {
        public var secret: String
        public var ephemeralKey: Point?
    }

    /// Checks the lock by the rules a mint applies to its secrets (NUT-11's malformed-secret rules), so that a wallet
    /// never creates proofs nobody can spend.
    public func validate() throws {
        if case .p2pk = kind, keys.isEmpty { throw SpendingConditionError(.malformedSecret, "a P2PK lock needs at least one key") }
        if blinded, keys.count + refundKeys.count + (isHTLC ? 1 : 0) > P2BK.maxSlots {
            throw SpendingConditionError(.malformedSecret, "a blinded lock has at most \(P2BK.maxSlots) slots")
        }
        _ = try SpendingCondition(WellKnownSecret(kind: wellKnownKind, data: data(keys: keys), tags: tags(keys: keys, refund: refundKeys)))
    }

    /// Secrets for `count` outputs: fresh nonces, and for a blinded lock fresh ephemeral keys (one for all outputs
    /// under SIG_ALL, whose inputs must share data and tags).
    public func outputs(count: Int) throws -> [Output] {
        try validate()
        let shared = signatureFlag == .sigAll ? Scalar.random() : nil
        return try (0..<count).map { _ in
            guard blinded else {
                return Output(secret: WellKnownSecret(kind: wellKnownKind, data: data(keys: keys), tags: tags(keys: keys, refund: refundKeys)).serialized)
            }
            let e = shared ?? Scalar.random()
            let first = isHTLC ? 1 : 0
            let main = try keys.enumerated().map { try P2BK.blind($1, ephemeral: e, slot: first + $0) }
            let refund = try refundKeys.enumerated().map { try P2BK.blind($1, ephemeral: e, slot: first + keys.count + $0) }
            let secret = WellKnownSecret(kind: wellKnownKind, data: data(keys: main), tags: tags(keys: main, refund: refund))
            return Output(secret: secret.serialized, ephemeralKey: try e.publicPoint)
        }
    }

    /// True for an HTLC lock (NUT-14).
    public var isHTLC: Bool { if case .htlc = kind { true } else { false } }
    var wellKnownKind: WellKnownSecret.Kind { isHTLC ? .htlc : .p2pk }

    func data(keys: [Point]) -> String {
        switch kind {
        case .p2pk: keys.first?.hex ?? ""
        case let .htlc(hash): Hex.encode(hash)
        }
    }

    func tags(keys: [Point], refund: [Point]) -> [[String]] {
        var tags = [["sigflag", signatureFlag.rawValue]]
        let extra = isHTLC ? keys : Array(keys.dropFirst())
        if !extra.isEmpty { tags.append(["pubkeys"] + extra.map(\.hex)) }
        if let n = requiredSignatures { tags.append(["n_sigs", String(n)]) }
        if let locktime { tags.append(["locktime", String(locktime)]) }
        if !refund.isEmpty { tags.append(["refund"] + refund.map(\.hex)) }
        if let n = requiredRefundSignatures { tags.append(["n_sigs_refund", String(n)]) }
        return tags
    }
}

extension SpendingLock {
    /// The lock a NUT-10 secret's kind, data and tags describe (e.g. a NUT-18 payment request's `nut10`), validated
    /// by the same rules; throws for kinds other than P2PK and HTLC.
    public init(kind: String, data: String, tags: [[String]], blinded: Bool = false) throws {
        let secret = WellKnownSecret(kind: WellKnownSecret.Kind(rawValue: kind), data: data, tags: tags)
        guard let condition = try SpendingCondition(secret) else {
            throw SpendingConditionError(.malformedSecret, "\(kind.prefix(20))-locks are not known to this wallet (only P2PK and HTLC)")
        }
        self.init(
            kind: condition.hashLock.map { .htlc(hash: $0) } ?? .p2pk, keys: condition.keys,
            requiredSignatures: condition.requiredSignatures > 1 ? condition.requiredSignatures : nil, locktime: condition.locktime,
            refundKeys: condition.refundKeys,
            requiredRefundSignatures: condition.requiredRefundSignatures > 1 ? condition.requiredRefundSignatures : nil,
            signatureFlag: condition.signatureFlag, blinded: blinded)
    }

    /// A new random 32-byte HTLC preimage and its hash lock.
    public static func newPreimage() -> (preimage: [UInt8], hash: [UInt8]) {
        let preimage = SecureRandom.bytes(32)
        return (preimage, Array(SHA256.hash(data: preimage)))
    }
}
