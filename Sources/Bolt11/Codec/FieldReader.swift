import Secp256k1

/// Interprets tagged fields as BOLT11's reader rules say: the first valid field of each single-valued type wins,
/// `p`/`h`/`s`/`n` of the wrong length, `f` of unknown version and unknown types are skipped.
struct FieldReader {
    var paymentHash: [UInt8]?
    var paymentSecret: [UInt8]?
    var description: String?
    var descriptionHash: [UInt8]?
    var expiry: UInt64?
    var minFinalCltvExpiry: UInt64?
    var payee: Point?
    var features: [UInt8]?
    var metadata: [UInt8]?
    var fallbacks: [FallbackAddress] = []
    var routeHints: [[UInt8]] = []
    var ignored: [TaggedField] = []

    init(fields: [TaggedField]) throws {
        for field in fields where try !use(field) { ignored.append(field) }
    }

    /// Records `field`; false when the reader skips it.
    private mutating func use(_ field: TaggedField) throws -> Bool {
        switch field.tag {
        case .paymentHash:
            guard paymentHash == nil, field.words.count == 52 else { return false }
            paymentHash = try bytes(field)
        case .paymentSecret:
            guard paymentSecret == nil, field.words.count == 52 else { return false }
            paymentSecret = try bytes(field)
        case .descriptionHash:
            guard descriptionHash == nil, field.words.count == 52 else { return false }
            descriptionHash = try bytes(field)
        case .payee:
            guard payee == nil, field.words.count == 53 else { return false }
            do {
                payee = try Point(compressed: bytes(field))
            } catch let error as Secp256k1Error {
                throw Bolt11Error(.invalidField, "payee field 'n' is not a public key: \(error)")
            }
        case .description:
            guard description == nil else { return false }
            guard let text = String(validating: try bytes(field), as: UTF8.self) else {
                throw Bolt11Error(.invalidField, "description field 'd' is not UTF-8")
            }
            description = text
        case .metadata:
            guard metadata == nil else { return false }
            metadata = try bytes(field)
        case .expiry:
            guard expiry == nil else { return false }
            expiry = try integer(field)
        case .minFinalCltvExpiry:
            guard minFinalCltvExpiry == nil else { return false }
            minFinalCltvExpiry = try integer(field)
        case .features:
            guard features == nil else { return false }
            features = field.words
        case .fallback:
            guard let address = try FallbackAddress(field: field) else { return false }
            fallbacks.append(address)
        case .routeHint:
            routeHints.append(try bytes(field))
        default:
            return false
        }
        return true
    }

    private func bytes(_ field: TaggedField) throws -> [UInt8] {
        guard let bytes = field.bytes else {
            throw Bolt11Error(.invalidField, "field '\(field.tag)' does not end in zero padding")
        }
        return bytes
    }

    private func integer(_ field: TaggedField) throws -> UInt64 {
        guard let value = field.integer else { throw Bolt11Error(.invalidField, "field '\(field.tag)' overflows 64 bits") }
        return value
    }
}
