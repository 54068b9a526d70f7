import CashewEncoding
import FoundationEssentials
import Testing

/// Loads the NUT test-vector files in `Tests/Fixtures/vectors`.
public enum Vectors {
    /// The fixtures folder, found from the source tree so that tests run from any working directory.
    public static let fixturesDirectory = Interop.packageRoot + "/Tests/Fixtures"

    /// The parsed JSON of a vector file, e.g. `load("nut00")`.
    public static func load(_ name: String) throws -> JSONValue {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixturesDirectory + "/vectors/\(name).json"))
        return try JSONValue(parsing: Array(data))
    }

    /// The cases of a vector file, optionally only those of one group.
    public static func cases(_ name: String, group: String? = nil) throws -> [JSONValue] {
        let all = try load(name)["cases"]?.arrayValue ?? []
        guard let group else { return all }
        return all.filter { $0["group"]?.stringValue == group }
    }

    /// The bytes of a fixture file other than a vector.
    public static func data(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: fixturesDirectory + "/" + relativePath)))
    }
}

extension JSONValue {
    /// The string at a key path, e.g. `v.string("input", "x")`; records an issue (and gives "") when absent.
    public func string(_ path: String...) -> String {
        var v: JSONValue? = self
        for key in path { v = v?[key] }
        guard let s = v?.stringValue else {
            Issue.record("no string at \(path)")
            return ""
        }
        return s
    }

    /// The value at a key path; records an issue (and gives null) when absent.
    public func at(_ path: String...) -> JSONValue {
        var v: JSONValue? = self
        for key in path { v = v?[key] }
        guard let v else {
            Issue.record("nothing at \(path)")
            return .null
        }
        return v
    }
}
