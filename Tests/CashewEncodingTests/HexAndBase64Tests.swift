import CashewEncoding
import Testing

@Suite("Hex and base64url")
struct HexAndBase64Tests {
    @Test("hex round-trips and is strict")
    func hex() {
        for length in 0..<64 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255) }
            #expect(Hex.decode(Hex.encode(bytes)) == bytes)
            #expect(Hex.decode(Hex.encode(bytes).uppercased()) == bytes)
        }
        #expect(Hex.encode([0x00, 0xAB, 0xFF]) == "00abff")
        for bad in ["0", "0g", "zz", " 00", "00 ", "0x00", "é0"] { #expect(Hex.decode(bad) == nil, "\(bad)") }
        #expect(Hex.decode("") == [])
    }

    @Test("RFC 4648 test vectors", arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648(_ plain: String, _ encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
        let padded = Base64URL.encode(Array(plain.utf8), padding: true)
        #expect(padded.count % 4 == 0)
        #expect(Base64URL.decode(padded) == Array(plain.utf8))
    }

    @Test("URL-safe alphabet; standard alphabet also read; garbage rejected")
    func alphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64URL.decode("+/8=") == [0xFB, 0xFF])
        for bad in ["Z", "Zg=", "Zg===", "Z===", "Zm9v!", "Zm 9v", "=Zg", "Zg=a"] { #expect(Base64URL.decode(bad) == nil, "\(bad)") }
    }
}
