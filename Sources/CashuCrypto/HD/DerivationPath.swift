/// One step of a BIP-32 path: an index below 2^31, hardened or not.
public struct ChildNumber: Hashable, Sendable, CustomStringConvertible {
    /// The 32-bit child number, with bit 31 set for hardened children.
    public let rawValue: UInt32

    /// A hardened child `index'`. `index` must be below 2^31.
    public static func hardened(_ index: UInt32) throws -> ChildNumber {
        guard index < 1 << 31 else { throw DerivationPath.ParseError(description: "child index \(index) is not below 2^31") }
        return ChildNumber(rawValue: index | 1 << 31)
    }

    /// A normal (non-hardened) child `index`. `index` must be below 2^31.
    public static func normal(_ index: UInt32) throws -> ChildNumber {
        guard index < 1 << 31 else { throw DerivationPath.ParseError(description: "child index \(index) is not below 2^31") }
        return ChildNumber(rawValue: index)
    }

    init(rawValue: UInt32) { self.rawValue = rawValue }

    /// True for hardened children.
    public var isHardened: Bool { rawValue & 1 << 31 != 0 }
    /// The index without the hardened bit.
    public var index: UInt32 { rawValue & ~(1 << 31) }

    public var description: String { isHardened ? "\(index)'" : "\(index)" }
}

/// A BIP-32 derivation path such as `m/129372'/0'/1'`.
public struct DerivationPath: Hashable, Sendable, CustomStringConvertible, Codable {
    /// Why a string is not a derivation path.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The steps from the master key.
    public let components: [ChildNumber]

    /// A path from its steps.
    public init(_ components: [ChildNumber]) { self.components = components }

    /// Parses `m/a/b'/c/dh`; `'`, `h` and `H` mark hardened steps. `m` alone is the master.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.first == "m" else { throw ParseError(description: "a derivation path starts with m: \(text.prefix(80))") }
        var components = [ChildNumber]()
        for part in parts.dropFirst() {
            var digits = Substring(part)
            let hardened = digits.last.map { $0 == "'" || $0 == "h" || $0 == "H" } ?? false
            if hardened { digits = digits.dropLast() }
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let index = UInt32(digits), index < 1 << 31 else {
                throw ParseError(description: "invalid derivation path step \"\(part.prefix(20))\"")
            }
            components.append(hardened ? try .hardened(index) : try .normal(index))
        }
        self.components = components
    }

    /// This path with one more step.
    public func appending(_ child: ChildNumber) -> DerivationPath { DerivationPath(components + [child]) }

    /// `m/…` with `'` for hardened steps.
    public var description: String { (["m"] + components.map(\.description)).joined(separator: "/") }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
