import CashuCrypto
import Secp256k1

/// A mint's blind signature on an output, with its DLEQ proof when the mint gives one (NUT-00, NUT-12).
public struct BlindSignature: Codable, Hashable, Sendable {
    public var amount: Amount
    /// The keyset that signed.
    public var id: KeysetID
    /// `C_ = k·B_`.
    public var blindSignature: Point
    public var dleq: BlindSignatureDLEQ?

    public init(amount: Amount, id: KeysetID, blindSignature: Point, dleq: BlindSignatureDLEQ? = nil) {
        self.amount = amount
        self.id = id
        self.blindSignature = blindSignature
        self.dleq = dleq
    }

    enum CodingKeys: String, CodingKey {
        case amount, id
        case blindSignature = "C_"
        case dleq
    }
}
