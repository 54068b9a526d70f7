import CashewEncoding
import CashuProtocol
import Foundation
import Hummingbird
import NIOCore

/// Request bodies are read up to a limit and decoded (unknown fields are ignored, as NUT-00 asks of extensions);
/// responses are encoded as JSON.
struct JSONIO: Sendable {
    /// The largest request body accepted, in bytes.
    let maxBodySize: Int

    /// Decodes the body as `T`. A field named in `fieldCodes` that cannot be decoded answers with that field's code
    /// (e.g. a mint quote's `pubkey`: 20009) instead of the generic one.
    func decode<T: Decodable>(_ type: T.Type, from request: Request, fieldCodes: [String: CashuError.Code] = [:]) async throws -> T {
        try decode(type, from: try await body(request), fieldCodes: fieldCodes)
    }

    /// The request body, read up to the limit.
    func body(_ request: Request) async throws -> ByteBuffer {
        var request = request
        do {
            return try await request.collectBody(upTo: maxBodySize)
        } catch is NIOTooManyBytesError {
            throw APIError(CashuError(.notAllowed, "request body larger than \(maxBodySize) bytes"))
        } catch {
            throw APIError(CashuError(.notAllowed, "could not read the request body"))
        }
    }

    /// Decodes a body read by `body(_:)`.
    func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer, fieldCodes: [String: CashuError.Code] = [:]) throws -> T {
        // Hot requests (swap) are read without Foundation when the fast reader is sure; otherwise JSONDecoder decides.
        if let fast = T.self as? any FastJSONDecodable.Type,
            let value = buffer.withUnsafeReadableBytes({ fast.init(fastJSON: $0) }) as? T
        {
            return value
        }
        // Every number in a Cashu request (amounts, amount_msat) is a non-negative integer. JSONDecoder would read
        // 1.0, 1e3 and -0 as integers; they are refused, as cdk refuses them. (The fast reader above accepts only
        // plain digits.)
        let document: JSONValue
        do {
            document = try buffer.withUnsafeReadableBytes { try JSONValue(parsing: $0) }
        } catch {
            throw APIError(CashuError(.notAllowed, "invalid request: malformed JSON (\(error))"))
        }
        if let path = Self.nonIntegerNumber(in: document) {
            throw APIError(CashuError(.notAllowed, "invalid request: \(path.isEmpty ? "body" : String(path.prefix(80))) must be a non-negative integer"))
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            if let field = Self.path(error), let code = fieldCodes[field] {
                throw APIError(CashuError(code, "invalid request: \(Self.describe(error))"))
            }
            throw APIError(CashuError(.notAllowed, "invalid request: \(Self.describe(error))"))
        } catch {
            throw APIError(CashuError(.notAllowed, "invalid request"))
        }
    }

    func encode(_ value: some Encodable) throws -> Response { response(try bytes(value)) }

    /// A value's JSON, as `encode` sends it.
    func bytes(_ value: some Encodable) throws -> [UInt8] {
        if let fast = value as? any FastJSONEncodable {
            var bytes = [UInt8]()
            fast.fastJSON(into: &bytes)
            return bytes
        }
        return Array(try JSONEncoder().encode(value))
    }

    /// A 200 answer with `bytes` as its JSON body.
    func response(_ bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The path of the first number in `value` that is not written as plain digits (`outputs[0].amount`), if any.
    static func nonIntegerNumber(in value: JSONValue, path: String = "") -> String? {
        switch value {
        case let .number(text):
            return text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) ? nil : path
        case let .array(items):
            for (i, item) in items.enumerated() {
                if let found = nonIntegerNumber(in: item, path: path + "[\(i)]") { return found }
            }
            return nil
        case let .object(pairs):
            for (key, item) in pairs {
                if let found = nonIntegerNumber(in: item, path: path.isEmpty ? key : path + "." + key) { return found }
            }
            return nil
        case .null, .bool, .string:
            return nil
        }
    }

    /// The coding path of a decoding error's value, e.g. `pubkey` or `outputs[0].B_`.
    static func path(_ error: DecodingError) -> String? {
        let context: DecodingError.Context
        switch error {
        case let .typeMismatch(_, c), let .valueNotFound(_, c), let .dataCorrupted(c): context = c
        case .keyNotFound: return nil
        @unknown default: return nil
        }
        return context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().drop(while: { $0 == "." }).description
    }

    /// A one-line description of a decoding error that names the field but echoes no input.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            return p.isEmpty ? "body" : String(p.drop(while: { $0 == "." }))
        }
        switch error {
        case let .keyNotFound(key, context): return "missing field \(path(context).isEmpty ? "" : path(context) + ".")\(key.stringValue)"
        case let .typeMismatch(_, context): return "wrong type at \(path(context))"
        case let .valueNotFound(_, context): return "missing value at \(path(context))"
        case let .dataCorrupted(context): return "invalid value at \(path(context))"
        @unknown default: return "malformed JSON"
        }
    }
}
