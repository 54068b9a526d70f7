import CashewCBOR

/// Uniform Resources (Blockchain Commons BCR-2020-005) as NUT-16 uses them for animated QR codes: a payload of
/// type `bytes` (the CBOR byte string of a serialized token) split into parts `ur:bytes/N-M/…`, each part a CBOR
/// array `[N, M, message length, CRC-32 of the message, fragment]` in minimal bytewords (BCR-2020-012) with its own
/// CRC-32. Only the fountain code's pure parts (1…M, each one fragment in order) are made; a decoder needs each of
/// them once, in any order.
public enum UniformResource {
    /// Why a UR could not be read.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The parts of `payload` as `ur:bytes`, fragments of at most `maxFragmentLength` bytes (all the same length;
    /// the last padded with zeros). One part (no sequence) when the message fits one fragment.
    public static func parts(_ payload: [UInt8], maxFragmentLength: Int = 200) -> [String] {
        let message = CBORValue.bytes(payload).encoded
        let checksum = CRC32.checksum(message)
        let maxFragmentLength = max(1, maxFragmentLength)
        let count = max(1, (message.count + maxFragmentLength - 1) / maxFragmentLength)
        if count == 1 { return ["ur:bytes/" + Bytewords.minimal(message + CRC32.bytes(checksum))] }
        let length = (message.count + count - 1) / count
        let padded = message + [UInt8](repeating: 0, count: length * count - message.count)
        return (0..<count).map { i in
            let part = CBORValue.array([
                .unsigned(UInt64(i + 1)), .unsigned(UInt64(count)), .unsigned(UInt64(message.count)), .unsigned(UInt64(checksum)),
                .bytes(Array(padded[(i * length)..<((i + 1) * length)])),
            ]).encoded
            return "ur:bytes/\(i + 1)-\(count)/" + Bytewords.minimal(part + CRC32.bytes(CRC32.checksum(part)))
        }
    }

    /// Collects parts until the payload is whole.
    public struct Decoder: Sendable {
        var fragments = [Int: [UInt8]]()
        var expected: (count: Int, length: Int, checksum: UInt32)?
        public private(set) var payload: [UInt8]?

        public init() {}

        /// Reads one part (upper or lower case). Returns true once the payload is complete.
        @discardableResult
        public mutating func receive(_ text: String) throws -> Bool {
            let lower = text.lowercased()
            guard lower.hasPrefix("ur:bytes/") else { throw Failure("not a ur:bytes part") }
            let fields = lower.dropFirst("ur:bytes/".count).split(separator: "/")
            if fields.count == 1 {
                let body = try Bytewords.decodeMinimal(String(fields[0]))
                payload = try Self.message(body)
                return true
            }
            guard fields.count == 2 else { throw Failure("a UR part has a sequence and a body") }
            let body = try Bytewords.decodeMinimal(String(fields[1]))
            guard let items = try? CBORValue(decoding: body).arrayValue, items.count == 5, let n = items[0].unsignedValue, let m = items[1].unsignedValue,
                  let length = items[2].unsignedValue, let checksum = items[3].unsignedValue, let fragment = items[4].bytesValue,
                  m >= 1, m <= 10_000, n >= 1, checksum <= UInt64(UInt32.max), length <= 10_000_000
            else { throw Failure("a UR part's body is not [seq, count, length, checksum, fragment]") }
            guard fields[0] == "\(n)-\(m)" else { throw Failure("a UR part's sequence does not match its body") }
            let shape = (count: Int(m), length: Int(length), checksum: UInt32(checksum))
            if let e = expected, e != shape { throw Failure("a part of another UR") }
            expected = shape
            // Pure parts only (a fountain part mixes fragments: its number is past the count).
            guard n <= m else { return payload != nil }
            fragments[Int(n) - 1] = fragment
            guard fragments.count == shape.count, payload == nil else { return payload != nil }
            let message = Array((0..<shape.count).flatMap { fragments[$0]! }.prefix(shape.length))
            guard message.count == shape.length, CRC32.checksum(message) == shape.checksum else {
                // Start over: a bad fragment must not poison every later try.
                fragments = [:]
                expected = nil
                throw Failure("the UR's checksum does not match")
            }
            payload = try Self.message(message)
            return true
        }

        /// The byte string a whole UR message (CBOR) holds.
        static func message(_ body: [UInt8]) throws -> [UInt8] {
            guard case let .bytes(bytes) = try CBORValue(decoding: body) else { throw Failure("the UR is not of type bytes") }
            return bytes
        }
    }
}

/// Bytewords (BCR-2020-012), minimal style: each byte the first and last letter of its word; the body carries its
/// CRC-32 (big-endian) at the end.
enum Bytewords {
    /// The 256 words of BCR-2020-012, in byte order.
    static let words: [String] = {
        let all = Array(
            "ableacidalsoapexaquaarchatomauntawayaxisbackbaldbarnbeltbetabiasbluebodybragbrewbulbbuzzcalmcashcatschefcityclawcodecolacookcostcrux"
                + "curlcuspcyandarkdatadaysdelidicedietdoordowndrawdropdrumdulldutyeacheasyechoedgeepicevenexamexiteyesfactfairfernfigsfilmfishfizzflap"
                + "flewfluxfoxyfreefrogfuelfundgalagamegeargemsgiftgirlglowgoodgraygrimgurugushgyrohalfhanghardhawkheathelphighhillholyhopehornhutsiced"
                + "ideaidleinchinkyintoirisironitemjadejazzjoinjoltjowljudojugsjumpjunkjurykeepkenokeptkeyskickkilnkingkitekiwiknoblamblavalazyleaflegs"
                + "liarlimplionlistlogoloudloveluaulucklungmainmanymathmazememomenumeowmildmintmissmonknailnavyneednewsnextnoonnotenumbobeyoboeomitonyx"
                + "openovalowlspaidpartpeckplaypluspoempoolposepuffpumapurrquadquizraceramprealredorichroadrockroofrubyruinrunsrustsafesagascarsetssilk"
                + "skewslotsoapsolosongstubsurfswantacotasktaxitenttiedtimetinytoiltombtoystriptunatwinuglyundouniturgeuservastveryvetovialvibeviewvisa"
                + "voidvowswallwandwarmwaspwavewaxywebswhatwhenwhizwolfworkyankyawnyellyogayurtzapszerozestzinczonezoom")
        return stride(from: 0, to: all.count, by: 4).map { String(all[$0..<($0 + 4)]) }
    }()

    static let minimalIndex: [String: UInt8] = Dictionary(
        uniqueKeysWithValues: words.enumerated().map { (String([$0.element.first!, $0.element.last!]), UInt8($0.offset)) })

    static func minimal(_ bytes: [UInt8]) -> String {
        bytes.map { let w = words[Int($0)]; return String([w.first!, w.last!]) }.joined()
    }

    /// The bytes of a minimal bytewords body whose last four bytes are the CRC-32 of the rest (checked, removed).
    static func decodeMinimal(_ text: String) throws -> [UInt8] {
        let chars = Array(text)
        guard chars.count % 2 == 0, chars.count >= 10 else { throw UniformResource.Failure("bytewords come in pairs of letters, with a checksum") }
        var bytes = [UInt8]()
        bytes.reserveCapacity(chars.count / 2)
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let b = minimalIndex[String(chars[i..<(i + 2)])] else { throw UniformResource.Failure("not a byteword: \(String(chars[i..<(i + 2)]))") }
            bytes.append(b)
        }
        let body = Array(bytes.dropLast(4))
        guard CRC32.bytes(CRC32.checksum(body)) == Array(bytes.suffix(4)) else { throw UniformResource.Failure("the bytewords' checksum does not match") }
        return body
    }
}

/// CRC-32 (ISO-HDLC, the polynomial of zlib), as UR uses it.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func bytes(_ value: UInt32) -> [UInt8] { [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)] }
}
