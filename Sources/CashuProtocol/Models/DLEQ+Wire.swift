import CashuCrypto
import Secp256k1

/// The DLEQ proof on a `BlindSignature`: `{"e": hex, "s": hex}` (NUT-12).
public struct BlindSignatureDLEQ: Codable, Hashable, Sendable {
    public var e: Scalar
    public var s: Scalar

    public init(e: Scalar, s: Scalar) {
        self.e = e
        self.s = s
    }

    public init(_ proof: DLEQProof) { self.init(e: proof.e, s: proof.s) }

    /// The crypto-level proof.
    public var proof: DLEQProof { DLEQProof(e: e, s: s) }

    enum CodingKeys: String, CodingKey { case e, s }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        e = try c.decodeScalar(.e)
        s = try c.decodeScalar(.s)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(e.hex, forKey: .e)
        try c.encode(s.hex, forKey: .s)
    }
}

/// The DLEQ proof on a `Proof`, with the blinding factor so that a receiver can check it: `{"e", "s", "r"}`.
public struct ProofDLEQ: Codable, Hashable, Sendable {
    public var e: Scalar
    public var s: Scalar
    public var r: Scalar

    public init(e: Scalar, s: Scalar, r: Scalar) {
        self.e = e
        self.s = s
        self.r = r
    }

    /// The crypto-level proof.
    public var proof: DLEQProof { DLEQProof(e: e, s: s) }

    enum CodingKeys: String, CodingKey { case e, s, r }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        e = try c.decodeScalar(.e)
        s = try c.decodeScalar(.s)
        r = try c.decodeScalar(.r)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(e.hex, forKey: .e)
        try c.encode(s.hex, forKey: .s)
        try c.encode(r.hex, forKey: .r)
    }
}

extension KeyedDecodingContainer {
    func decodeScalar(_ key: Key) throws -> Scalar {
        let text = try decode(String.self, forKey: key)
        do {
            return try Scalar(hex: text)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not a 32-byte scalar below n")
        }
    }
}
