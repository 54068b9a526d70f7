import CashuCrypto
import Secp256k1

/// An output: the amount and keyset the wallet asks a signature from, and its blinded secret `B_` (NUT-00).
public struct BlindedMessage: Codable, Hashable, Sendable {
    public var amount: Amount
    /// The keyset expected to sign.
    public var id: KeysetID
    /// `B_ = hash_to_curve(secret) + r·G`.
    public var blindedSecret: Point

    public init(amount: Amount, id: KeysetID, blindedSecret: Point) {
        self.amount = amount
        self.id = id
        self.blindedSecret = blindedSecret
    }

    enum CodingKeys: String, CodingKey {
        case amount, id
        case blindedSecret = "B_"
    }
}
