import CashewEncoding
import CashuCrypto
import CashuProtocol
import Crypto
import Foundation
import Secp256k1

/// A spend of a pool's e-cash waiting for its members' signatures: the whole swap or melt request to sign (inputs,
/// outputs, the melt quote), what it pays whom, and everything needed to build the resulting proofs (each output's
/// secret and blinding factor: every output is locked, to the recipient or back to the pool, so sharing them gives
/// nobody the money). Passed between members as `cashewpoolA…` text; `Wallet.reviewPoolProposal` checks it
/// against the member's own pool and the mint, never against what the proposal says of itself.
public struct PoolProposal: Codable, Sendable, Hashable {
    /// One output: the blinded message and what makes it.
    public struct Output: Codable, Sendable, Hashable {
        /// The amount asked (for a melt's NUT-08 blank outputs a placeholder: the mint chooses).
        public var amount: Amount
        public var keyset: String
        /// `B_`, compressed hex.
        public var blinded: String
        public var secret: String
        /// The blinding factor, hex.
        public var r: String
    }

    /// NUT-08 blank outputs a melt carries for change of up to `most`: its bit length (so any amount up to it fits),
    /// at least one. The proposer makes this many and every reviewer requires them.
    static func changeOutputCount(upTo most: UInt64) -> Int { max(1, 64 - most.leadingZeroBitCount) }

    public enum Kind: String, Codable, Sendable {
        /// A swap: pays a token locked to `to`, the rest back to the pool.
        case swap
        /// A melt: pays `invoice` (quote `quote`); NUT-08 change back to the pool.
        case melt
    }

    public var version = 1
    public var pool: PoolDefinition
    public var kind: Kind
    /// The pool's proofs spent; the first carries the `SIG_ALL` witness with the signatures so far.
    public var inputs: [Proof]
    public var outputs: [Output]
    /// What it pays: to `to` (swap) or the invoice's amount (melt).
    public var amount: Amount
    /// The recipient's public key (swap).
    public var to: String?
    public var invoice: String?
    public var quote: String?
    public var memo: String?
    public var createdAt: UInt64

    static let prefix = "cashewpoolA"

    /// The text members pass around.
    public var encoded: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Self.prefix + Base64URL.encode(Array((try? encoder.encode(self)) ?? Data()), padding: false)
    }

    public init(decoding text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix(Self.prefix), let bytes = Base64URL.decode(String(trimmed.dropFirst(Self.prefix.count))) else {
            throw WalletError(.invalidInput, "not a pool proposal (cashewpoolA…)")
        }
        do { self = try JSONDecoder().decode(PoolProposal.self, from: Data(bytes)) } catch {
            throw WalletError(.invalidInput, "the pool proposal does not decode: \(String(describing: error).prefix(200))")
        }
        guard version == 1 else { throw WalletError(.unsupported, "pool proposal version \(version) is not known to this wallet") }
    }

    init(pool: PoolDefinition, kind: Kind, inputs: [Proof], outputs: [Output], amount: Amount, to: String?, invoice: String?, quote: String?, memo: String?, createdAt: UInt64) {
        self.pool = pool
        self.kind = kind
        self.inputs = inputs
        self.outputs = outputs
        self.amount = amount
        self.to = to
        self.invoice = invoice
        self.quote = quote
        self.memo = memo
        self.createdAt = createdAt
    }

    /// The quote ID the SIG_ALL signatures cover: a melt's, never a swap's.
    var signedQuote: String? { kind == .melt ? quote : nil }

    /// Names the spend in this wallet's journal of submissions: a hash of its outputs, which no other spend shares.
    var submissionID: String {
        Hex.encode(Array(SHA256.hash(data: Data(outputs.map(\.blinded).joined(separator: ",").utf8))))
    }

    /// The outputs, ready to turn the mint's signatures into proofs.
    func preparedOutputs(_ keysets: [WalletKeyset]) throws -> PreparedOutputs {
        guard let keyset = keysets.first(where: { $0.id.hex == outputs.first?.keyset }) else { throw WalletError(.invalidInput, "unknown keyset") }
        return try PreparedOutputs(
            secrets: outputs.map(\.secret), amounts: outputs.map(\.amount), keyset: keyset, factors: try outputs.map { try Scalar(hex: $0.r) })
    }

    /// The blinded messages as the mint is sent them.
    func messages() throws -> [BlindedMessage] {
        try outputs.map { o in
            BlindedMessage(amount: o.amount, id: try KeysetID(hex: o.keyset), blindedSecret: try Point(hex: o.blinded))
        }
    }
}

/// What a proposal does, as checked by this member.
public struct PoolReview: Sendable, Hashable {
    public var pool: String
    public var fingerprint: String
    public var unit: CurrencyUnit
    public var kind: PoolProposal.Kind
    /// Paid to the recipient, or the invoice's amount.
    public var pays: Amount
    public var to: String?
    public var invoice: String?
    /// The pool's proofs spent.
    public var inputs: Amount
    /// Back to the pool (a melt: at most this, whatever of the fee reserve is not spent).
    public var change: Amount
    /// The mint's input fee; for a melt also the Lightning fee reserve.
    public var fee: Amount
    /// Members whose signatures are on it.
    public var signers: [String]
    public var threshold: Int
}

/// What a spend that went through left.
public struct PoolSpendResult: Sendable {
    /// This wallet's pool the spend was from.
    public var pool: PoolDefinition
    /// Paid (`PAID` for a melt; a swap is paid once signed) or `PENDING`.
    public var state: String
    /// A swap's payment: a token locked to the recipient.
    public var payment: Token?
    /// The pool's new proofs (change), also for the other members (`cashew pool receive`).
    public var change: Token?
    public var preimage: String?
}

/// What settling a pool spend sent earlier found (`Wallet.settlePoolSubmissions`).
public struct PoolSettlement: Sendable {
    public enum Outcome: String, Sendable {
        /// The mint carried it out: the change is the pool's again.
        case completed
        /// The mint never carried it out (or the payment failed): its inputs are the pool's again.
        case rolledBack
        /// The mint cannot tell yet (a payment still in flight): tried again next time.
        case stillPending
    }

    public var kind: PoolProposal.Kind
    public var outcome: Outcome
    /// What it pays (a swap's recipient, or the invoice).
    public var pays: Amount
    /// A swap's payment, rebuilt from the mint's signatures (a token locked to the recipient, to hand over).
    public var payment: Token?
    /// The pool's change, also for the other members.
    public var change: Token?
    /// Why it could not be settled now (with `stillPending`).
    public var error: String?
}
