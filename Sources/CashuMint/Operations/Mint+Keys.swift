import CashewEncoding
import CashuCrypto
import CashuProtocol

extension Mint {
    /// `GET /v1/keys`: the active keysets with their keys.
    public func keys() -> KeysResponse {
        KeysResponse(keysets: keysets.all().filter(\.record.active).map(Self.keysEntry))
    }

    /// `GET /v1/keys/{id}`: any known keyset (active or not). Throws 12001 for an unknown ID.
    public func keys(id: KeysetID) throws -> KeysResponse {
        guard let entry = keysets.entry(id) else { throw CashuError(.keysetUnknown) }
        return KeysResponse(keysets: [Self.keysEntry(entry)])
    }

    static func keysEntry(_ entry: KeysetManager.Entry) -> KeysetKeysEntry {
        KeysetKeysEntry(
            id: entry.record.id, unit: entry.record.unit, active: entry.record.active, inputFeePPK: entry.record.inputFeePPK,
            finalExpiry: entry.record.finalExpiry, keys: entry.keyset.publicKeys)
    }

    /// `GET /v1/keysets`: every keyset, active or not.
    public func keysetList() -> KeysetsResponse {
        KeysetsResponse(keysets: keysets.all().map {
            KeysetInfo(id: $0.record.id, unit: $0.record.unit, active: $0.record.active, inputFeePPK: $0.record.inputFeePPK, finalExpiry: $0.record.finalExpiry)
        })
    }

    /// `GET /v1/info`, with `nuts` listing exactly what this mint does (nutshell's wallet reads the presence of a
    /// NUT's key as support).
    public func info(version: String) -> MintInfo {
        let units = settings.units
        func methods(min: Amount, max: Amount, options: JSONValue?) -> JSONValue {
            .array(units.map { unit in
                var pairs: [(String, JSONValue)] = [
                    ("method", .string("bolt11")), ("unit", .string(unit.rawValue)),
                    ("min_amount", .uint(min.rawValue)), ("max_amount", .uint(max.rawValue)),
                ]
                if let options { pairs.append(("options", options)) }
                return .object(pairs)
            })
        }
        let supported: JSONValue = .object([("supported", .bool(true))])
        let nuts: [String: JSONValue] = [
            "4": .object([
                ("methods", methods(min: settings.mintMinAmount, max: settings.mintMaxAmount, options: .object([("description", .bool(true))]))),
                ("disabled", .bool(settings.mintingDisabled)),
            ]),
            "5": .object([
                // Amountless invoices are paid when the request names the amount (NUT-23 `options.amountless`).
                ("methods", methods(min: settings.meltMinAmount, max: settings.meltMaxAmount, options: .object([("amountless", .bool(true))]))),
                ("disabled", .bool(settings.meltingDisabled)),
            ]),
            "7": supported, "8": supported, "9": supported, "10": supported, "11": supported, "12": supported,
            "14": supported, "20": supported,
        ]
        let i = settings.info
        return MintInfo(
            name: i.name, pubkey: publicKey, version: version, description: i.description, descriptionLong: i.descriptionLong,
            contact: i.contact, motd: i.motd, iconURL: i.iconURL, urls: i.urls.isEmpty ? nil : i.urls, time: clock.now(),
            tosURL: i.tosURL, nuts: nuts)
    }
}
