import CashewConfig
import Foundation
import Testing

@Suite("Configuration: TOML subset and layering")
struct ConfigTests {
    @Test("parses the supported TOML subset")
    func toml() throws {
        let doc = try TOMLDocument(parsing: """
            # comment
            host = "0.0.0.0"   # trailing comment
            port = 3_338
            units = ["sat", 'usd']
            fee = 0.5
            debug = true
            hex = 0xff
            "quoted key" = "a\\tb\\u00e9"

            [info]
            name = "My mint"
            urls = [
              "https://a.example",
              "https://b.example",
            ]
            [fake.lightning]
            delay = 2
            """)
        #expect(doc.values["host"] == .string("0.0.0.0"))
        #expect(doc.values["port"] == .integer(3338))
        #expect(doc.values["units"] == .array([.string("sat"), .string("usd")]))
        #expect(doc.values["fee"] == .float(0.5))
        #expect(doc.values["debug"] == .bool(true))
        #expect(doc.values["hex"] == .integer(255))
        #expect(doc.values["quoted key"] == .string("a\tbé"))
        #expect(doc.values["info.name"] == .string("My mint"))
        #expect(doc.values["info.urls"]?.text == "https://a.example,https://b.example")
        #expect(doc.values["fake.lightning.delay"] == .integer(2))
    }

    @Test("refuses what it does not support, with a line number", arguments: [
        "a = ", "a = 1\na = 2", "[t]\n[t]", "a = {b = 1}", "[[t]]", "a = \"\"\"x\"\"\"", "a = \"open", "a = 1 2", "a = nope",
        "= 1", "a = [1, 2", "a = \"\\q\"",
    ])
    func refuses(_ text: String) {
        #expect(throws: TOMLError.self) { try TOMLDocument(parsing: text) }
    }

    @Test("flags win over environment, environment over file")
    func layering() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-\(UUID().uuidString).toml")
        try "port = 1\nhost = \"file\"\nunits = [\"sat\"]\n[info]\nname = \"file name\"\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let s = try LayeredSettings(
            flags: ["port": "3"], environment: ["CASHEW_PORT": "2", "CASHEW_HOST": "env", "CASHEW_INFO_NAME": "env name"], configFile: file.path)
        #expect(try s.int("port", default: 0) == 3)
        #expect(s.string("host") == "env")
        #expect(s.string("info.name") == "env name")
        #expect(s.list("units", default: []) == ["sat"])
        #expect(try s.int("missing", default: 7) == 7)
        #expect(throws: LayeredSettings.SettingError.self) { try LayeredSettings(flags: ["p": "x"], environment: [:], configFile: nil).int("p", default: 0) }
        #expect(s.unknownFileKeys(known: ["port", "host", "units"]) == ["info.name"])
        #expect(throws: LayeredSettings.SettingError.self) { try LayeredSettings(flags: [:], environment: [:], configFile: "/nonexistent/cashew.toml") }
    }

    @Test("secrets come from the environment or a file, never from a flag or the config file")
    func secrets() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cashew-secret-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "  key-from-file \n".write(toFile: dir + "/key", atomically: true, encoding: .utf8)
        try "".write(toFile: dir + "/empty", atomically: true, encoding: .utf8)
        try "api_key = \"in-the-file\"\n".write(toFile: dir + "/cashew.toml", atomically: true, encoding: .utf8)

        #expect(try LayeredSettings(flags: [:], environment: ["CASHEW_API_KEY": "from-env"], configFile: nil).secret("api_key") == "from-env")
        #expect(try LayeredSettings(flags: ["api_key_file": dir + "/key"], environment: [:], configFile: nil).secret("api_key") == "key-from-file")
        #expect(try LayeredSettings(flags: [:], environment: [:], configFile: nil).secret("api_key") == nil)
        #expect(throws: LayeredSettings.SettingError.self) {
            try LayeredSettings(flags: ["api_key": "on-the-command-line"], environment: [:], configFile: nil).secret("api_key")
        }
        #expect(throws: LayeredSettings.SettingError.self) {
            try LayeredSettings(flags: [:], environment: [:], configFile: dir + "/cashew.toml").secret("api_key")
        }
        #expect(throws: LayeredSettings.SettingError.self) {
            try LayeredSettings(flags: ["api_key_file": dir + "/empty"], environment: [:], configFile: nil).secret("api_key")
        }
        #expect(throws: LayeredSettings.SettingError.self) {
            try LayeredSettings(flags: ["api_key_file": dir + "/missing"], environment: [:], configFile: nil).secret("api_key")
        }
    }
}
