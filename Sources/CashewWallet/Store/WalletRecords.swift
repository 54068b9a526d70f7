import CashuCrypto
import CashuProtocol
import Secp256k1

/// Where a proof stands in the wallet.
public enum WalletProofState: String, Sendable, Hashable, CaseIterable {
    /// Ours to spend.
    case unspent
    /// Selected for an operation that has not been sent; released if it never is.
    case reserved
    /// Sent to the mint (swap, melt) or handed over in a token; the outcome is not known yet.
    case pending
    /// Gone.
    case spent
}

/// A proof as the wallet keeps it.
public struct StoredProof: Sendable, Hashable {
    public var proof: Proof
    /// Hex of `Y = hash_to_curve(secret)`.
    public var y: String
    public var mintURL: String
    public var state: WalletProofState
    /// The operation that holds it (reserved or pending).
    public var operationID: String?
    /// When the wallet stored it, and when its state last changed (Unix seconds).
    public var createdAt: UInt64 = 0
    public var updatedAt: UInt64 = 0
}

/// A keyset the wallet has checked and stored, with its NUT-13 counter.
public struct WalletKeyset: Sendable, Hashable {
    public var id: KeysetID
    public var mintURL: String
    public var unit: CurrencyUnit
    public var active: Bool
    public var inputFeePPK: UInt64
    public var finalExpiry: UInt64?
    public var keys: KeysetKeys
    /// The next NUT-13 derivation index.
    public var counter: UInt32
}

/// A mint the wallet knows.
public struct WalletMint: Sendable, Hashable {
    public var url: String
    public var isDefault: Bool
    /// The last `/v1/info`, as JSON.
    public var info: String?
}

/// An operation in the wallet's journal (see `WalletStore.beginOperation`).
public struct WalletOperation: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case mint, swap, send, receive, melt, restore }
    public enum State: String, Sendable, Hashable { case open, done, failed }
    public var id: String
    public var kind: Kind
    public var mintURL: String
    public var state: State
    /// What resuming it needs, as JSON (per kind).
    public var data: String
    public var createdAt: UInt64
}

/// A line of `cashew history`.
public struct HistoryEntry: Sendable, Hashable {
    public var kind: String
    public var mintURL: String
    public var unit: CurrencyUnit
    public var amount: Amount
    public var fee: Amount
    public var memo: String?
    public var token: String?
    public var createdAt: UInt64

    public init(kind: String, mintURL: String, unit: CurrencyUnit, amount: Amount, fee: Amount = 0, memo: String? = nil, token: String? = nil, createdAt: UInt64) {
        self.kind = kind
        self.mintURL = mintURL
        self.unit = unit
        self.amount = amount
        self.fee = fee
        self.memo = memo
        self.token = token
        self.createdAt = createdAt
    }
}

/// Why the wallet's database refused something.
public struct WalletStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A mint or melt quote the wallet asked for.
public struct WalletQuote: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case mint, melt }
    public var id: String
    public var mintURL: String
    public var kind: Kind
    /// The invoice.
    public var request: String
    public var amount: Amount
    public var unit: CurrencyUnit
    public var feeReserve: Amount?
    /// The state as the mint last reported it.
    public var state: String
    public var expiry: UInt64?
    /// NUT-20: the private key the mint quote is locked to (its signature is required to mint).
    public var secretKey: Scalar?

    public init(
        id: String, mintURL: String, kind: Kind, request: String, amount: Amount, unit: CurrencyUnit, feeReserve: Amount? = nil, state: String,
        expiry: UInt64?, secretKey: Scalar? = nil
    ) {
        self.id = id
        self.mintURL = mintURL
        self.kind = kind
        self.request = request
        self.amount = amount
        self.unit = unit
        self.feeReserve = feeReserve
        self.state = state
        self.expiry = expiry
        self.secretKey = secretKey
    }
}

/// A payment request this wallet made with a Nostr transport (table `payment_requests`).
public struct WalletPaymentRequest: Sendable, Hashable {
    /// The request's `i`.
    public var id: String
    /// The request, encoded (`creqA…`).
    public var request: String
    /// The relays its payments are sent to.
    public var relays: [String]
    public var createdAt: UInt64
    /// When the first payment was received (nil: unpaid).
    public var paidAt: UInt64?
    /// What its payments added to the wallet, after input fees.
    public var received: UInt64?

    public init(id: String, request: String, relays: [String], createdAt: UInt64, paidAt: UInt64? = nil, received: UInt64? = nil) {
        self.id = id
        self.request = request
        self.relays = relays
        self.createdAt = createdAt
        self.paidAt = paidAt
        self.received = received
    }
}
