/// Why bytes are not an acceptable CBOR item.
public struct CBORError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Code: String, Sendable, Hashable {
        /// The input ends inside an item.
        case truncated
        /// Bytes remain after the item.
        case trailingBytes
        /// Reserved additional information, a misplaced break, a bad chunk in an indefinite string.
        case malformed
        /// A text string that is not UTF-8.
        case invalidUTF8
        /// Nesting deeper than the decoder allows.
        case tooDeep
        /// A map with the same key twice.
        case duplicateKey
        /// A length larger than the input could hold.
        case lengthTooLarge
    }

    /// What is wrong.
    public let code: Code
    /// Byte offset of the problem.
    public let offset: Int

    public init(_ code: Code, at offset: Int) {
        self.code = code
        self.offset = offset
    }

    public var description: String { "CBOR \(code.rawValue) at byte \(offset)" }
}
