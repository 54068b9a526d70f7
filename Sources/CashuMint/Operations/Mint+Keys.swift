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
        let settings = self.settings
        let units = settings.units
        // A unit whose method the operator disabled is left out of `methods`; the NUT is `disabled` when nothing is left.
        typealias Method = (disabled: Bool, min: Amount, max: Amount, option: Bool)
        func methods(_ method: (CurrencyUnit) -> Method, option: String) -> [JSONValue] {
            units.compactMap { unit in
                let m = method(unit)
                guard !m.disabled else { return nil }
                return .object([
                    ("method", .string("bolt11")), ("unit", .string(unit.rawValue)),
                    ("min_amount", .uint(m.min.rawValue)), ("max_amount", .uint(m.max.rawValue)),
                    ("options", .object([(option, .bool(m.option))])),
                ])
            }
        }
        let minting = methods(settings.mint, option: "description")
        // Amountless invoices are paid when the request names the amount (NUT-23 `options.amountless`).
        let melting = methods(settings.melt, option: "amountless")
        let supported: JSONValue = .object([("supported", .bool(true))])
        var nuts: [String: JSONValue] = [
            "4": .object([("methods", .array(minting)), ("disabled", .bool(settings.mintingDisabled || minting.isEmpty))]),
            "5": .object([("methods", .array(melting)), ("disabled", .bool(settings.meltingDisabled || melting.isEmpty))]),
            "7": supported, "8": supported, "9": supported, "10": supported, "11": supported, "12": supported,
            "14": supported, "20": supported,
        ]
        if settings.webSockets {
            // NUT-17: per unit, the kinds that can be followed (a quote kind only where its method is offered).
            let entries: [JSONValue] = units.map { unit in
                var commands = [JSONValue]()
                if !settings.mint(unit).disabled && !settings.mintingDisabled { commands.append(.string(SubscriptionKind.bolt11MintQuote.rawValue)) }
                if !settings.melt(unit).disabled && !settings.meltingDisabled { commands.append(.string(SubscriptionKind.bolt11MeltQuote.rawValue)) }
                commands.append(.string(SubscriptionKind.proofState.rawValue))
                return .object([("method", .string("bolt11")), ("unit", .string(unit.rawValue)), ("commands", .array(commands))])
            }
            nuts["17"] = .object([("supported", .array(entries))])
        }
        // NUT-15: the units whose backend pays part of an invoice, where melting is offered.
        let multiPath: [JSONValue] = settings.meltingDisabled ? [] : units.filter { !settings.melt($0).disabled && backend(for: $0).paysMultiPath }.map {
            .object([("method", .string("bolt11")), ("unit", .string($0.rawValue))])
        }
        if !multiPath.isEmpty { nuts["15"] = .object([("methods", .array(multiPath))]) }
        // NUT-29: batches of bolt11 mint quotes.
        nuts["29"] = .object([("max_batch_size", .uint(UInt64(Self.maxBatchSize))), ("methods", .array([.string("bolt11")]))])
        if cachesResponses {
            nuts["19"] = .object([
                ("ttl", .uint(settings.responseCacheTTL)),
                ("cached_endpoints", .array(CachedEndpoint.allCases.map { .object([("method", .string("POST")), ("path", .string($0.rawValue))]) })),
            ])
        }
        let i = settings.info
        return MintInfo(
            name: i.name, pubkey: publicKey, version: version, description: i.description, descriptionLong: i.descriptionLong,
            contact: i.contact, motd: i.motd, iconURL: i.iconURL, urls: i.urls.isEmpty ? nil : i.urls, time: clock.now(),
            tosURL: i.tosURL, nuts: nuts)
    }
}
