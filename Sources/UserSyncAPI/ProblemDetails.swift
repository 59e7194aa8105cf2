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
    let extensions: [String: String]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for (key, value) in extensions { try c.encode(value, forKey: Key(stringValue: key)) }
        try c.encode(type, forKey: Key(stringValue: "type"))
        try c.encode(code, forKey: Key(stringValue: "code"))
        try c.encode(title, forKey: Key(stringValue: "title"))
        try c.encode(status, forKey: Key(stringValue: "status"))
        try c.encode(detail, forKey: Key(stringValue: "detail"))
        try c.encodeIfPresent(errors, forKey: Key(stringValue: "errors"))
        try c.encode(requestID, forKey: Key(stringValue: "request_id"))
    }

    init(_ error: APIError, requestID: String) {
        self.type = "urn:usersync:problem:\(error.code)"
        self.code = error.code
        self.title = error.title
        self.status = error.status.code
        self.detail = error.detail
        self.errors = error.errors.isEmpty ? nil : error.errors
        self.requestID = requestID
        self.extensions = error.extensions
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
