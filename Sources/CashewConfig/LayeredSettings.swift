import Foundation

/// Settings from three layers, highest first: command-line flags, environment variables (`PREFIX_KEY`), a TOML
/// file. Keys are lower-case with dots for tables (`info.name`); the environment variable for `info.name` is
/// `CASHEW_INFO_NAME`.
public struct LayeredSettings: Sendable {
    /// Why a setting is unusable.
    public struct SettingError: Error, Hashable, Sendable, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    let flags: [String: String]
    let environment: [String: String]
    let file: [String: TOMLValue]
    let prefix: String

    /// Layers: `flags` by key, the process environment, and the TOML file at `configFile` (if any).
    public init(flags: [String: String], environment: [String: String], configFile: String?, prefix: String = "CASHEW") throws {
        self.flags = flags
        self.environment = environment
        self.prefix = prefix
        if let configFile {
            let text: String
            do { text = try String(contentsOfFile: configFile, encoding: .utf8) } catch {
                throw SettingError("cannot read config file \(configFile)")
            }
            do { file = try TOMLDocument(parsing: text).values } catch {
                throw SettingError("config file \(configFile): \(error)")
            }
        } else {
            file = [:]
        }
    }

    /// The environment variable name of a key.
    public func environmentName(_ key: String) -> String {
        prefix + "_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// The raw text of a setting from the highest layer that has it.
    public func text(_ key: String) -> String? {
        if let v = flags[key] { return v }
        if let v = environment[environmentName(key)] { return v }
        return file[key]?.text
    }

    /// Where a setting came from, for error messages.
    func origin(_ key: String) -> String {
        if flags[key] != nil { return "setting \(key)" }
        if environment[environmentName(key)] != nil { return environmentName(key) }
        return "config key \(key)"
    }

    public func string(_ key: String, default value: String? = nil) -> String? { text(key) ?? value }

    /// The value of `key`'s environment variable alone (nil when unset or empty).
    public func environmentValue(_ key: String) -> String? {
        environment[environmentName(key)].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Refuses a secret given as a flag or in the configuration file (whether or not it is used).
    public func checkSecretPlacement(_ key: String) throws {
        if flags[key] != nil || file[key] != nil {
            throw SettingError("\(key) is a secret: set it in the environment (\(environmentName(key))) or in a file named by \(key)_file")
        }
    }

    /// A secret (an API key, a macaroon, a rune): from the environment variable of `key`, or from the file that
    /// `key_file` names (its text, trimmed). Never from a flag (visible to every user in the process list) or the
    /// configuration file (which gets copied and shared); either is refused.
    public func secret(_ key: String) throws -> String? {
        try checkSecretPlacement(key)
        if let v = environment[environmentName(key)], !v.isEmpty { return v }
        guard let path = text(key + "_file") else { return nil }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw SettingError("\(origin(key + "_file")): cannot read \(path)")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw SettingError("\(origin(key + "_file")): \(path) is empty") }
        return trimmed
    }

    /// A secret as bytes: the environment variable's text, or the whole file that `key_file` names (binary files such
    /// as LND's macaroons). The same placement rules as `secret`.
    public func secretBytes(_ key: String) throws -> [UInt8]? {
        try checkSecretPlacement(key)
        if let v = environment[environmentName(key)], !v.isEmpty { return Array(v.utf8) }
        guard let path = text(key + "_file") else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw SettingError("\(origin(key + "_file")): cannot read \(path)") }
        guard !data.isEmpty else { throw SettingError("\(origin(key + "_file")): \(path) is empty") }
        return Array(data)
    }

    public func int(_ key: String, default value: Int) throws -> Int {
        guard let t = text(key) else { return value }
        guard let v = Int(t.trimmingCharacters(in: .whitespaces)) else { throw SettingError("\(origin(key)) must be an integer, not \(t.prefix(40))") }
        return v
    }

    public func uint64(_ key: String, default value: UInt64) throws -> UInt64 {
        guard let t = text(key) else { return value }
        guard let v = UInt64(t.trimmingCharacters(in: .whitespaces)) else {
            throw SettingError("\(origin(key)) must be a non-negative integer, not \(t.prefix(40))")
        }
        return v
    }

    public func double(_ key: String, default value: Double) throws -> Double {
        guard let t = text(key) else { return value }
        guard let v = Double(t.trimmingCharacters(in: .whitespaces)), v.isFinite, v >= 0 else {
            throw SettingError("\(origin(key)) must be a non-negative number, not \(t.prefix(40))")
        }
        return v
    }

    /// A duration in seconds (fractions allowed) within `range`.
    public func seconds(_ key: String, default value: Double, in range: ClosedRange<Double>) throws -> Duration {
        let v = try double(key, default: value)
        guard range.contains(v) else {
            throw SettingError("\(origin(key)) must be between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound)) seconds")
        }
        return .milliseconds(Int64((v * 1000).rounded()))
    }

    static func format(_ v: Double) -> String { v == v.rounded() ? String(Int64(v)) : String(v) }

    public func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let t = text(key)?.lowercased() else { return value }
        switch t {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw SettingError("\(origin(key)) must be true or false, not \(t.prefix(40))")
        }
    }

    /// A comma-separated (or TOML array) list.
    public func list(_ key: String, default value: [String]) -> [String] {
        guard let t = text(key) else { return value }
        return t.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Keys given in the file that no one asked about (typos), so the caller can refuse them.
    public func unknownFileKeys(known: Set<String>) -> [String] {
        file.keys.filter { !known.contains($0) }.sorted()
    }
}
