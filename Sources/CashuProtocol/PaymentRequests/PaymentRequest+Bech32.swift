import CashewEncoding
import CashuCrypto
import FoundationEssentials

/// NUT-26: the payment request as `CREQB1…`, Bech32m over TLV fields (1-byte tag, 2-byte big-endian length), in
/// ascending tag order: 0x01 id, 0x02 amount (u64), 0x03 unit (0x00 for sat), 0x04 single use, 0x05 mint
/// (repeated), 0x06 description, 0x07 transport (repeated; sub-TLV kind, target, tag tuples), 0x08 NUT-10 lock
/// (sub-TLV kind, data, tag tuples). A nostr transport's target is the raw x-only key; its NIPs (`n` tags) and the
/// nprofile's relays (`r` tags, after the others) are tag tuples. Unknown tags are skipped when reading.
extension PaymentRequest {
    /// `CREQB1…`, upper case (QR alphanumeric mode). Throws for what NUT-26 cannot carry: a transport other than
    /// nostr and post, a nostr target that is not an npub or nprofile, a NUT-10 kind other than P2PK and HTLC, or a
    /// field longer than 65,535 bytes.
    public func bech32Encoded() throws -> String {
        var out = [UInt8]()
        func field(_ tag: UInt8, _ value: [UInt8]) throws {
            guard value.count <= Int(UInt16.max) else { throw DecodingError(description: "field \(tag) is longer than 65535 bytes") }
            out += [tag, UInt8(value.count >> 8), UInt8(value.count & 0xff)] + value
        }
        if let id { try field(0x01, Array(id.utf8)) }
        if let amount { try field(0x02, (0..<8).reversed().map { UInt8(truncatingIfNeeded: amount.rawValue >> ($0 * 8)) }) }
        if let unit { try field(0x03, unit == .sat ? [0] : Array(unit.rawValue.utf8)) }
        if let singleUse { try field(0x04, [singleUse ? 1 : 0]) }
        for mint in mints ?? [] { try field(0x05, Array(mint.utf8)) }
        if let description { try field(0x06, Array(description.utf8)) }
        for transport in transports ?? [] { try field(0x07, try Self.transportTLV(transport)) }
        if let nut10 { try field(0x08, try Self.nut10TLV(nut10)) }
        let data = Bech32.convertBits(out, from: 8, to: 5, pad: true) ?? []
        return Bech32.encode(hrp: "creqb", data: data, variant: .bech32m).uppercased()
    }

    /// Parses `creqb1…` in either case (the Bech32m checksum verified, no length limit).
    public init(decodingBech32 text: String) throws {
        let decoded: Bech32.Decoded
        do { decoded = try Bech32.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)) } catch {
            throw DecodingError(description: "not bech32m: \(error)")
        }
        guard decoded.hrp == "creqb" else { throw DecodingError(description: "a NUT-26 payment request starts with creqb1") }
        guard decoded.variant == .bech32m else { throw DecodingError(description: "a NUT-26 payment request uses the bech32m checksum") }
        guard let bytes = Bech32.convertBits(decoded.data, from: 5, to: 8, pad: false) else { throw DecodingError(description: "bad bech32m padding") }
        self.init()
        for (tag, value) in try Self.fields(bytes) {
            switch tag {
            case 0x01: id = try Self.text(value, "id")
            case 0x02:
                guard value.count == 8 else { throw DecodingError(description: "the amount is 8 bytes") }
                amount = Amount(value.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            case 0x03: unit = value == [0] ? .sat : CurrencyUnit(rawValue: try Self.text(value, "unit"))
            case 0x04:
                guard value.count == 1, value[0] <= 1 else { throw DecodingError(description: "single use is one byte, 0 or 1") }
                singleUse = value[0] == 1
            case 0x05: mints = (mints ?? []) + [try Self.text(value, "mint")]
            case 0x06: description = try Self.text(value, "description")
            case 0x07: transports = (transports ?? []) + [try Self.transport(value)]
            case 0x08: nut10 = try Self.nut10(value)
            default: continue  // unknown tags are ignored (forward compatibility)
            }
        }
    }

    /// `creqA…` (NUT-18) or `creqb1…` in either case (NUT-26).
    public static func parse(_ text: String) throws -> PaymentRequest {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.lowercased().hasPrefix("creqb1") { return try PaymentRequest(decodingBech32: trimmed) }
        return try PaymentRequest(decoding: trimmed)
    }

    // MARK: TLV

    static func fields(_ bytes: [UInt8]) throws -> [(UInt8, [UInt8])] {
        var fields = [(UInt8, [UInt8])]()
        var i = 0
        while i < bytes.count {
            guard i + 3 <= bytes.count else { throw DecodingError(description: "a truncated TLV field") }
            let length = Int(bytes[i + 1]) << 8 | Int(bytes[i + 2])
            guard i + 3 + length <= bytes.count else { throw DecodingError(description: "a TLV field runs past the end") }
            fields.append((bytes[i], Array(bytes[(i + 3)..<(i + 3 + length)])))
            i += 3 + length
        }
        return fields
    }

    static func text(_ bytes: [UInt8], _ what: String) throws -> String {
        guard let s = String(validating: bytes, as: UTF8.self) else { throw DecodingError(description: "\(what) is not UTF-8") }
        return s
    }

    static func sub(_ tag: UInt8, _ value: [UInt8]) throws -> [UInt8] {
        guard value.count <= Int(UInt16.max) else { throw DecodingError(description: "a sub-field is longer than 65535 bytes") }
        return [tag, UInt8(value.count >> 8), UInt8(value.count & 0xff)] + value
    }

    /// A tag tuple: key length, key, then each value's length and value (one byte each).
    static func tuple(_ tag: [String]) throws -> [UInt8] {
        var out = [UInt8]()
        for item in tag {
            let bytes = Array(item.utf8)
            guard bytes.count <= 255 else { throw DecodingError(description: "a tag item is longer than 255 bytes") }
            out += [UInt8(bytes.count)] + bytes
        }
        return try sub(0x03, out)
    }

    static func readTuple(_ bytes: [UInt8]) throws -> [String] {
        var items = [String]()
        var i = 0
        while i < bytes.count {
            let length = Int(bytes[i])
            guard i + 1 + length <= bytes.count else { throw DecodingError(description: "a truncated tag tuple") }
            items.append(try text(Array(bytes[(i + 1)..<(i + 1 + length)]), "a tag"))
            i += 1 + length
        }
        guard !items.isEmpty else { throw DecodingError(description: "an empty tag tuple") }
        return items
    }

    static func transportTLV(_ t: Transport) throws -> [UInt8] {
        switch t.type {
        case "nostr":
            let profile: NIP19.Profile
            do { profile = try NIP19.profile(t.target) } catch { throw DecodingError(description: "a nostr transport's target: \(error)") }
            var out = try sub(0x01, [0]) + sub(0x02, profile.publicKey)
            for tag in t.tags ?? [] { out += try tuple(tag) }
            for relay in profile.relays { out += try tuple(["r", relay]) }
            return out
        case "post":
            var out = try sub(0x01, [1]) + sub(0x02, Array(t.target.utf8))
            for tag in t.tags ?? [] { out += try tuple(tag) }
            return out
        default:
            throw DecodingError(description: "NUT-26 has no code for the transport \(t.type.prefix(32))")
        }
    }

    static func transport(_ bytes: [UInt8]) throws -> Transport {
        var kind: UInt8?
        var target: [UInt8]?
        var tags = [[String]]()
        for (tag, value) in try fields(bytes) {
            switch tag {
            case 0x01:
                guard value.count == 1 else { throw DecodingError(description: "a transport kind is one byte") }
                kind = value[0]
            case 0x02: target = value
            case 0x03: tags.append(try readTuple(value))
            default: continue
            }
        }
        guard let kind, let target else { throw DecodingError(description: "a transport needs a kind and a target") }
        switch kind {
        case 0:
            guard target.count == 32 else { throw DecodingError(description: "a nostr target is a 32-byte key") }
            // The relays were the nprofile's: npub without any, nprofile with them.
            let relays = tags.filter { $0.first == "r" && $0.count >= 2 }.map { $0[1] }
            let rest = tags.filter { $0.first != "r" }
            return Transport(type: "nostr", target: NIP19.Profile(publicKey: target, relays: relays).encoded, tags: rest.isEmpty ? nil : rest)
        case 1:
            return Transport(type: "post", target: try text(target, "a transport target"), tags: tags.isEmpty ? nil : tags)
        default:
            throw DecodingError(description: "unknown transport kind \(kind)")
        }
    }

    static let nut10Kinds = ["P2PK", "HTLC"]

    static func nut10TLV(_ n: NUT10Option) throws -> [UInt8] {
        guard let kind = nut10Kinds.firstIndex(of: n.kind) else { throw DecodingError(description: "NUT-26 has no code for the NUT-10 kind \(n.kind.prefix(32))") }
        var out = try sub(0x01, [UInt8(kind)]) + sub(0x02, Array(n.data.utf8))
        for tag in n.tags ?? [] { out += try tuple(tag) }
        return out
    }

    static func nut10(_ bytes: [UInt8]) throws -> NUT10Option {
        var kind: UInt8?
        var data: String?
        var tags = [[String]]()
        for (tag, value) in try fields(bytes) {
            switch tag {
            case 0x01:
                guard value.count == 1 else { throw DecodingError(description: "a NUT-10 kind is one byte") }
                kind = value[0]
            case 0x02: data = try text(value, "NUT-10 data")
            case 0x03: tags.append(try readTuple(value))
            default: continue
            }
        }
        guard let kind, let data else { throw DecodingError(description: "a NUT-10 lock needs a kind and data") }
        guard Int(kind) < nut10Kinds.count else { throw DecodingError(description: "unknown NUT-10 kind \(kind)") }
        return NUT10Option(kind: nut10Kinds[Int(kind)], data: data, tags: tags.isEmpty ? nil : tags)
    }
}
