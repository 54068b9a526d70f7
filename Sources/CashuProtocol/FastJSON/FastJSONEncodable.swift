import CashuCrypto
import Secp256k1

/// A response the mint writes on its hot path as bytes directly, without Foundation's `JSONEncoder`. The output is
/// plain JSON that `JSONDecoder` reads back to the same value (tested), with the same members `Codable` writes.
public protocol FastJSONEncodable {
    func fastJSON(into out: inout [UInt8])
}

extension SwapResponse: FastJSONEncodable {
    public func fastJSON(into out: inout [UInt8]) {
        out += #"{"signatures":"#.utf8
        BlindSignature.fastJSON(signatures, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension MintResponse: FastJSONEncodable {
    public func fastJSON(into out: inout [UInt8]) {
        out += #"{"signatures":"#.utf8
        BlindSignature.fastJSON(signatures, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension BlindSignature {
    /// `[{"amount":…,"id":"…","C_":"…","dleq":{"e":"…","s":"…"}}, …]`; `dleq` only when present, as `Codable`
    /// omits a nil optional.
    static func fastJSON(_ signatures: [BlindSignature], into out: inout [UInt8]) {
        out.reserveCapacity(out.count + signatures.count * 330)
        out.append(UInt8(ascii: "["))
        for (i, s) in signatures.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += #"{"amount":"#.utf8
            out += String(s.amount.rawValue).utf8
            out += #","id":""#.utf8
            out += s.id.hex.utf8
            out += #"","C_":""#.utf8
            out += s.blindSignature.hex.utf8
            out.append(UInt8(ascii: "\""))
            if let dleq = s.dleq {
                out += #","dleq":{"e":""#.utf8
                out += dleq.e.hex.utf8
                out += #"","s":""#.utf8
                out += dleq.s.hex.utf8
                out += #""}"#.utf8
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }
}
