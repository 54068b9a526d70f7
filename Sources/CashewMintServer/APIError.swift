import CashuProtocol
import Foundation
import HTTPTypes
import Hummingbird

/// Turns errors into NUT-00 error responses: HTTP 400 with `{"detail", "code"}` for protocol errors; 500 with the
/// same shape, and no internals, for anything unexpected.
struct APIError: Error, HTTPResponseError {
    let status: HTTPResponse.Status
    let error: CashuError
    /// Extra response headers (`Retry-After`).
    var headers: HTTPFields = [:]

    init(_ error: CashuError, status: HTTPResponse.Status = .badRequest, headers: HTTPFields = [:]) {
        self.status = status
        self.error = error
        self.headers = headers
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONEncoder().encode(error)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
