import Foundation
import Hummingbird
import UserSyncDomain

/// The one JSON error shape (RFC 9457), with the request id and any field errors.
struct ProblemDetails: Encodable {
    let type: String
    let code: String
    let title: String
    let status: Int
    let detail: String
    let errors: [FieldError]?
    let requestID: String

    enum CodingKeys: String, CodingKey {
        case type, code, title, status, detail, errors
        case requestID = "request_id"
    }

    init(_ error: APIError, requestID: String) {
        self.type = "urn:usersync:problem:\(error.code)"
        self.code = error.code
        self.title = error.title
        self.status = error.status.code
        self.detail = error.detail
        self.errors = error.errors.isEmpty ? nil : error.errors
        self.requestID = requestID
    }

    func response(headers extra: HTTPFields) -> Response {
        var headers = extra
        headers[.contentType] = "application/problem+json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
