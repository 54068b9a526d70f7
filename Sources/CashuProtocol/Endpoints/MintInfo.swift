import CashewEncoding
import CashuCrypto
import Secp256k1

/// `GET /v1/info` (NUT-06). Every field is optional; `nuts` maps NUT numbers (as strings) to their settings.
public struct MintInfo: Codable, Hashable, Sendable {
    public var name: String?
    public var pubkey: Point?
    /// `Implementation/x.y.z`.
    public var version: String?
    public var description: String?
    public var descriptionLong: String?
    public var contact: [Contact]?
    public var motd: String?
    public var iconURL: String?
    public var urls: [String]?
    /// The mint's current unix time.
    public var time: UInt64?
    public var tosURL: String?
    /// Per-NUT settings, free-form JSON; typed accessors below.
    public var nuts: [String: JSONValue]?

    public init(
        name: String? = nil, pubkey: Point? = nil, version: String? = nil, description: String? = nil,
        descriptionLong: String? = nil, contact: [Contact]? = nil, motd: String? = nil, iconURL: String? = nil,
        urls: [String]? = nil, time: UInt64? = nil, tosURL: String? = nil, nuts: [String: JSONValue]? = nil
    ) {
        self.name = name
        self.pubkey = pubkey
        self.version = version
        self.description = description
        self.descriptionLong = descriptionLong
        self.contact = contact
        self.motd = motd
        self.iconURL = iconURL
        self.urls = urls
        self.time = time
        self.tosURL = tosURL
        self.nuts = nuts
    }

    enum CodingKeys: String, CodingKey {
        case name, pubkey, version, description, contact, motd, urls, time, nuts
        case descriptionLong = "description_long"
        case iconURL = "icon_url"
        case tosURL = "tos_url"
    }

    /// A way to reach the operator.
    public struct Contact: Codable, Hashable, Sendable {
        public var method: String
        public var info: String
        public init(method: String, info: String) {
            self.method = method
            self.info = info
        }
    }

    /// True when NUT `number` is listed as `{"supported": true}` (or, for 4 and 5, not disabled).
    public func supports(nut number: Int) -> Bool {
        guard let settings = nuts?[String(number)] else { return false }
        if let supported = settings["supported"] {
            if let flag = supported.boolValue { return flag }
            return supported.arrayValue.map { !$0.isEmpty } ?? false
        }
        if let disabled = settings["disabled"]?.boolValue { return !disabled }
        return settings.objectValue != nil
    }
}

/// One payment method's limits in NUT-04/05 settings.
public struct MethodSetting: Codable, Hashable, Sendable {
    public var method: String
    public var unit: CurrencyUnit
    public var minAmount: Amount?
    public var maxAmount: Amount?
    public var options: JSONValue?

    public init(method: String, unit: CurrencyUnit, minAmount: Amount? = nil, maxAmount: Amount? = nil, options: JSONValue? = nil) {
        self.method = method
        self.unit = unit
        self.minAmount = minAmount
        self.maxAmount = maxAmount
        self.options = options
    }

    enum CodingKeys: String, CodingKey {
        case method, unit, options
        case minAmount = "min_amount"
        case maxAmount = "max_amount"
    }
}
