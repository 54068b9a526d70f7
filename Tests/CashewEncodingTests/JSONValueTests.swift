import CashewEncoding
import Testing

@Suite("Ordered JSON")
struct JSONValueTests {
    @Test("keeps key order and writes compactly")
    func order() throws {
        let text = #"{"z":1,"a":[true,false,null],"m":{"y":"x","b":-2.5e3}}"#
        let v = try JSONValue(parsing: text)
        #expect(v.serialized == text)
        #expect(v["z"]?.uint64Value == 1)
        #expect(v["m"]?["b"]?.doubleValue == -2500)
        #expect(try JSONValue(parsing: " \n\t[ 1 , 2 ]\r\n").serialized == "[1,2]")
    }

    @Test("64-bit integers survive exactly")
    func bigIntegers() throws {
        let v = try JSONValue(parsing: "[18446744073709551615,9223372036854775808,-9223372036854775808]")
        #expect(v[0]?.uint64Value == UInt64.max)
        #expect(v[1]?.uint64Value == 1 << 63)
        #expect(v[2]?.int64Value == Int64.min)
        #expect(v.serialized == "[18446744073709551615,9223372036854775808,-9223372036854775808]")
    }

    @Test("strings: escapes in, minimal escapes out")
    func strings() throws {
        let v = try JSONValue(parsing: #"["a\"b\\c\/d\n\t\u0001\u00e9\ud83d\ude00"]"#)
        #expect(v[0]?.stringValue == "a\"b\\c/d\n\t\u{01}é😀")
        #expect(v.serialized == #"["a\"b\\c/d\n\t\u0001é😀"]"#)
        #expect(try JSONValue(parsing: v.serialized) == v)
    }

    @Test("rejects malformed JSON", arguments: [
        "", "{", "[", "[1,]", "{\"a\":1,}", "{\"a\"}", "{a:1}", "01", "1.", ".5", "1e", "-", "+1", "tru", "nul", "\"abc",
        "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "[1] [2]", "{\"a\":1,\"a\":2}", "\"\u{01}\"", "NaN", "[1]x",
    ])
    func malformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test("deep nesting is rejected, not a stack overflow")
    func depth() {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: String(repeating: "[", count: 100_000)) }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: String(repeating: "{\"a\":", count: 100_000)) }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xFF, 0x22]) }  // invalid UTF-8
    }
}
