import CashuCrypto
import CashuProtocol
import Foundation

/// What the operator changed while the mint runs (the management API). It is kept in the ledger as one versioned
/// JSON document, so that every mint process on the ledger applies it within seconds and it survives restarts.
/// A field left nil keeps the configured value (file, environment, flags); a set field wins over them.
public struct SettingsOverrides: Sendable, Hashable, Codable {
    public var name: String?
    public var description: String?
    public var descriptionLong: String?
    /// An empty string removes the configured message.
    public var motd: String?
    public var iconURL: String?
    public var urls: [String]?
    public var contact: [MintInfo.Contact]?
    /// Seconds a new mint quote stays payable.
    public var mintQuoteExpiry: UInt64?
    /// Seconds a new melt quote stays usable.
    public var meltQuoteExpiry: UInt64?
    /// Lightning fee reserve: percent of the amount, and the least reserve in msat.
    public var feePercent: Double?
    public var feeMinReserveMsat: UInt64?
    /// NUT-04 and NUT-05 method settings per `unit/method` (only `bolt11` exists).
    public var mintMethods: [String: MethodOverride]?
    public var meltMethods: [String: MethodOverride]?
    /// Per unit, the input fee and denominations of its keysets (set by a rotation through the management API), so
    /// that a restart keeps the rotated keyset instead of rotating back to the configured fee.
    public var keysets: [String: KeysetPolicy]?

    public init() {}

    /// One payment method's settings, as `UpdateNut04`/`UpdateNut05` give them.
    public struct MethodOverride: Sendable, Hashable, Codable {
        public var disabled: Bool?
        public var minAmount: UInt64?
        public var maxAmount: UInt64?
        /// NUT-04 `description` or NUT-05 `amountless`.
        public var option: Bool?

        public init(disabled: Bool? = nil, minAmount: UInt64? = nil, maxAmount: UInt64? = nil, option: Bool? = nil) {
            self.disabled = disabled
            self.minAmount = minAmount
            self.maxAmount = maxAmount
            self.option = option
        }
    }

    /// `base` with these overrides on top.
    public func applied(to base: MintSettings) -> MintSettings {
        var s = base
        func text(_ value: String?, _ keep: String?) -> String? { value.map { $0.isEmpty ? nil : $0 } ?? keep }
        s.info.name = text(name, s.info.name)
        s.info.description = text(description, s.info.description)
        s.info.descriptionLong = text(descriptionLong, s.info.descriptionLong)
        s.info.motd = text(motd, s.info.motd)
        s.info.iconURL = text(iconURL, s.info.iconURL)
        if let urls { s.info.urls = urls }
        if let contact { s.info.contact = contact }
        if let mintQuoteExpiry { s.mintQuoteExpiry = mintQuoteExpiry }
        if let meltQuoteExpiry { s.meltQuoteExpiry = meltQuoteExpiry }
        if let feePercent { s.feeReserve.percent = feePercent }
        if let feeMinReserveMsat { s.feeReserve.minMsat = feeMinReserveMsat }
        for (key, value) in mintMethods ?? [:] { s.mintMethods[Self.unit(ofMethodKey: key)] = value.applied(to: s.mintMethods[Self.unit(ofMethodKey: key)]) }
        for (key, value) in meltMethods ?? [:] { s.meltMethods[Self.unit(ofMethodKey: key)] = value.applied(to: s.meltMethods[Self.unit(ofMethodKey: key)]) }
        for (unit, policy) in keysets ?? [:] { s.unitKeysets[CurrencyUnit(unit)] = policy }
        return s
    }

    /// Keeps `policy` as `unit`'s keyset policy (nil: the configured one again).
    public mutating func setKeysetPolicy(_ policy: KeysetPolicy?, for unit: CurrencyUnit) {
        var all = keysets ?? [:]
        all[unit.rawValue] = policy
        keysets = all.isEmpty ? nil : all
    }

    /// The key of `unit`'s `method` in `mintMethods` and `meltMethods`.
    public static func methodKey(unit: CurrencyUnit, method: String) -> String { unit.rawValue + "/" + method }

    static func unit(ofMethodKey key: String) -> CurrencyUnit {
        CurrencyUnit(String(key.split(separator: "/", maxSplits: 1).first ?? ""))
    }

    /// The document as the ledger keeps it (sorted keys, so equal overrides are equal text).
    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Reads a document the ledger kept.
    public static func decode(_ text: String) throws -> SettingsOverrides {
        try JSONDecoder().decode(SettingsOverrides.self, from: Data(text.utf8))
    }

    /// Drops the override `key` names (as `overriddenKeys` lists it), so the configured value applies again.
    /// Returns false when there is no such override.
    public mutating func reset(_ key: String) -> Bool {
        guard overriddenKeys.contains(key) else { return false }
        let parts = key.split(separator: " ", maxSplits: 1).map(String.init)
        switch (parts.first ?? "", parts.count == 2 ? parts[1] : "") {
        case ("info.name", _): name = nil
        case ("info.description", _): description = nil
        case ("info.description_long", _): descriptionLong = nil
        case ("info.motd", _): motd = nil
        case ("info.icon_url", _): iconURL = nil
        case ("info.urls", _): urls = nil
        case ("info.contact", _): contact = nil
        case ("mint_quote_expiry", _): mintQuoteExpiry = nil
        case ("melt_quote_expiry", _): meltQuoteExpiry = nil
        case ("lightning_fee_percent", _): feePercent = nil
        case ("lightning_reserve_fee_min", _): feeMinReserveMsat = nil
        case let ("nut04", method): mintMethods?[method] = nil; if mintMethods?.isEmpty == true { mintMethods = nil }
        case let ("nut05", method): meltMethods?[method] = nil; if meltMethods?.isEmpty == true { meltMethods = nil }
        case let ("keysets", unit): keysets?[unit] = nil; if keysets?.isEmpty == true { keysets = nil }
        default: return false
        }
        return true
    }

    /// The names of the overridden settings, as `Specs/configuration.md` names them (for logs and `cashew-mint settings`).
    public var overriddenKeys: [String] {
        var keys = [String]()
        if name != nil { keys.append("info.name") }
        if description != nil { keys.append("info.description") }
        if descriptionLong != nil { keys.append("info.description_long") }
        if motd != nil { keys.append("info.motd") }
        if iconURL != nil { keys.append("info.icon_url") }
        if urls != nil { keys.append("info.urls") }
        if contact != nil { keys.append("info.contact") }
        if mintQuoteExpiry != nil { keys.append("mint_quote_expiry") }
        if meltQuoteExpiry != nil { keys.append("melt_quote_expiry") }
        if feePercent != nil { keys.append("lightning_fee_percent") }
        if feeMinReserveMsat != nil { keys.append("lightning_reserve_fee_min") }
        keys += (mintMethods ?? [:]).keys.sorted().map { "nut04 " + $0 }
        keys += (meltMethods ?? [:]).keys.sorted().map { "nut05 " + $0 }
        keys += (keysets ?? [:]).keys.sorted().map { "keysets " + $0 }
        return keys
    }
}

extension SettingsOverrides.MethodOverride {
    func applied(to base: MintSettings.MethodSettings?) -> MintSettings.MethodSettings {
        var m = base ?? MintSettings.MethodSettings()
        if let disabled { m.disabled = disabled }
        if let minAmount { m.minAmount = Amount(minAmount) }
        if let maxAmount { m.maxAmount = Amount(maxAmount) }
        if let option { m.option = option }
        return m
    }
}
