import CashuCrypto

/// One keyset with its public keys, as `GET /v1/keys` returns it (NUT-01).
public struct KeysetKeysEntry: Codable, Hashable, Sendable {
    public var id: KeysetID
    public var unit: CurrencyUnit
    public var active: Bool?
    /// Missing means 0.
    public var inputFeePPK: UInt64?
    public var finalExpiry: UInt64?
    public var keys: KeysetKeys

    public init(id: KeysetID, unit: CurrencyUnit, active: Bool?, inputFeePPK: UInt64?, finalExpiry: UInt64?, keys: KeysetKeys) {
        self.id = id
        self.unit = unit
        self.active = active
        self.inputFeePPK = inputFeePPK
        self.finalExpiry = finalExpiry
        self.keys = keys
    }

    enum CodingKeys: String, CodingKey {
        case id, unit, active, keys
        case inputFeePPK = "input_fee_ppk"
        case finalExpiry = "final_expiry"
    }
}

/// `GET /v1/keys` and `GET /v1/keys/{keyset_id}`.
public struct KeysResponse: Codable, Hashable, Sendable {
    public var keysets: [KeysetKeysEntry]
    public init(keysets: [KeysetKeysEntry]) { self.keysets = keysets }
}

/// One keyset's metadata, as `GET /v1/keysets` returns it (NUT-02).
public struct KeysetInfo: Codable, Hashable, Sendable {
    public var id: KeysetID
    public var unit: CurrencyUnit
    public var active: Bool
    /// Missing means 0.
    public var inputFeePPK: UInt64?
    public var finalExpiry: UInt64?

    public init(id: KeysetID, unit: CurrencyUnit, active: Bool, inputFeePPK: UInt64?, finalExpiry: UInt64?) {
        self.id = id
        self.unit = unit
        self.active = active
        self.inputFeePPK = inputFeePPK
        self.finalExpiry = finalExpiry
    }

    enum CodingKeys: String, CodingKey {
        case id, unit, active
        case inputFeePPK = "input_fee_ppk"
        case finalExpiry = "final_expiry"
    }
}

/// `GET /v1/keysets`.
public struct KeysetsResponse: Codable, Hashable, Sendable {
    public var keysets: [KeysetInfo]
    public init(keysets: [KeysetInfo]) { self.keysets = keysets }
}
