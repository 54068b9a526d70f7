/// A TOML value of the subset Cashew's configuration files use.
public enum TOMLValue: Sendable, Hashable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    case array([TOMLValue])

    /// The value as configuration text (arrays joined by commas), which is how environment variables carry it.
    public var text: String {
        switch self {
        case let .string(s): s
        case let .integer(i): String(i)
        case let .float(d): String(d)
        case let .bool(b): b ? "true" : "false"
        case let .array(items): items.map(\.text).joined(separator: ",")
        }
    }
}

/// Why a TOML file was refused.
public struct TOMLError: Error, Hashable, Sendable, CustomStringConvertible {
    public let line: Int
    public let message: String
    public var description: String { "line \(line): \(message)" }
}

/// A parsed TOML file, flattened to dotted keys (`[info]` + `name = "x"` is `info.name`).
///
/// Supported: comments, `[table]` and `[a.b]` headers, bare and quoted keys, basic strings with escapes, literal
/// strings, integers (with `_`, hex/octal/binary), floats, booleans, and arrays (also across lines). Not
/// supported, and refused with an error: inline tables, arrays of tables, multi-line strings, dates.
public struct TOMLDocument: Sendable, Hashable {
    public private(set) var values: [String: TOMLValue] = [:]

    public init(parsing text: String) throws {
        var parser = TOMLParser(text: text)
        values = try parser.parse()
    }
}

struct TOMLParser {
    var chars: [Character]
    var i = 0
    var line = 1

    // One Character per Unicode scalar: as grapheme clusters, "\r\n" would be a single Character.
    init(text: String) { chars = text.unicodeScalars.map(Character.init) }

    func error(_ message: String) -> TOMLError { TOMLError(line: line, message: message) }

    static let tokenEnd: Set<Character> = [" ", "\t", "\r", "\n", "#", ",", "]"]

    var atEnd: Bool { i >= chars.count }
    var peek: Character? { atEnd ? nil : chars[i] }

    mutating func skipSpaces() {
        while let c = peek, c == " " || c == "\t" { i += 1 }
    }

    /// Skips spaces, comments and newlines.
    mutating func skipBlank() {
        while let c = peek {
            if c == " " || c == "\t" || c == "\r" {
                i += 1
            } else if c == "\n" {
                i += 1
                line += 1
            } else if c == "#" {
                while let d = peek, d != "\n" { i += 1 }
            } else {
                return
            }
        }
    }

    /// Expects the end of a line (after spaces and an optional comment).
    mutating func endOfLine() throws {
        skipSpaces()
        if peek == "#" { while let d = peek, d != "\n" { i += 1 } }
        if peek == "\r" { i += 1 }
        guard atEnd || peek == "\n" else { throw error("unexpected text after value") }
    }

    mutating func parse() throws -> [String: TOMLValue] {
        var values = [String: TOMLValue]()
        var table: [String] = []
        var tables = Set<String>()
        while true {
            skipBlank()
            guard let c = peek else { return values }
            if c == "[" {
                i += 1
                guard peek != "[" else { throw error("arrays of tables are not supported") }
                skipSpaces()
                table = try key()
                skipSpaces()
                guard peek == "]" else { throw error("expected ] after table name") }
                i += 1
                let name = table.joined(separator: ".")
                guard tables.insert(name).inserted else { throw error("table [\(name)] defined twice") }
                try endOfLine()
                continue
            }
            let path = table + (try key())
            skipSpaces()
            guard peek == "=" else { throw error("expected = after key") }
            i += 1
            skipSpaces()
            let v = try value()
            let name = path.joined(separator: ".")
            guard values[name] == nil else { throw error("key \(name) defined twice") }
            values[name] = v
            try endOfLine()
        }
    }

    /// A dotted key of bare or quoted parts.
    mutating func key() throws -> [String] {
        var parts = [String]()
        while true {
            skipSpaces()
            guard let c = peek else { throw error("expected a key") }
            if c == "\"" || c == "'" {
                guard case let .string(s) = try value() else { throw error("bad quoted key") }
                parts.append(s)
            } else {
                var s = ""
                while let d = peek, d.isLetter || d.isNumber || d == "_" || d == "-" { s.append(d); i += 1 }
                guard !s.isEmpty, s.allSatisfy(\.isASCII) else { throw error("expected a key") }
                parts.append(s)
            }
            skipSpaces()
            guard peek == "." else { return parts }
            i += 1
        }
    }

    mutating func value() throws -> TOMLValue {
        guard let c = peek else { throw error("expected a value") }
        switch c {
        case "\"":
            if i + 2 < chars.count, chars[i + 1] == "\"", chars[i + 2] == "\"" { throw error("multi-line strings are not supported") }
            i += 1
            var s = ""
            while true {
                guard let d = peek, d != "\n" else { throw error("unterminated string") }
                i += 1
                if d == "\"" { return .string(s) }
                if d == "\\" {
                    guard let e = peek else { throw error("unterminated escape") }
                    i += 1
                    switch e {
                    case "n": s.append("\n")
                    case "t": s.append("\t")
                    case "r": s.append("\r")
                    case "\"": s.append("\"")
                    case "\\": s.append("\\")
                    case "u", "U":
                        let count = e == "u" ? 4 : 8
                        guard i + count <= chars.count, let code = UInt32(String(chars[i..<i + count]), radix: 16),
                              let scalar = Unicode.Scalar(code) else { throw error("bad unicode escape") }
                        s.unicodeScalars.append(scalar)
                        i += count
                    default: throw error("unknown escape \\\(e)")
                    }
                } else {
                    s.append(d)
                }
            }
        case "'":
            i += 1
            var s = ""
            while true {
                guard let d = peek, d != "\n" else { throw error("unterminated string") }
                i += 1
                if d == "'" { return .string(s) }
                s.append(d)
            }
        case "[":
            i += 1
            var items = [TOMLValue]()
            while true {
                skipBlank()
                if peek == "]" { i += 1; return .array(items) }
                items.append(try value())
                skipBlank()
                if peek == "," { i += 1; continue }
                guard peek == "]" else { throw error("expected , or ] in array") }
                i += 1
                return .array(items)
            }
        case "{": throw error("inline tables are not supported")
        default:
            var token = ""
            while let d = peek, !Self.tokenEnd.contains(d) { token.append(d); i += 1 }
            if token == "true" { return .bool(true) }
            if token == "false" { return .bool(false) }
            let digits = token.replacingOccurrences(of: "_", with: "")
            for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where digits.hasPrefix(prefix) {
                guard let v = Int64(digits.dropFirst(2), radix: radix) else { throw error("bad integer \(token)") }
                return .integer(v)
            }
            if let v = Int64(digits) { return .integer(v) }
            if digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let d = Double(digits) { return .float(d) }
            throw error("bad value \(token.prefix(40))")
        }
    }
}
