import Foundation
import Hummingbird
import UserSyncDomain

/// A request body the API accepts. Listing the fields lets a typo (`nmae`) be refused instead of
/// silently ignored.
protocol RequestBody: Decodable {
    static var fields: Set<String> { get }
}

extension Request {
    /// Decodes a JSON body strictly: the right media type, within the size limit, well-formed,
    /// no unknown fields, every field of the right type. Each failure is a 4xx with a clear code.
    func decodeBody<Body: RequestBody>(_ type: Body.Type, limit: Int) async throws -> Body {
        if let contentType = headers[.contentType]?.lowercased(),
            !(contentType.hasPrefix("application/json") || contentType.contains("+json"))
        {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type", title: "Unsupported media type",
                detail: "Send the body as application/json, not \(contentType).")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError.bodyTooLarge(limit: limit)
        }
        let data = Data(buffer: buffer)
        guard !data.isEmpty else { throw APIError.badRequest("body_required", "This request needs a JSON body.") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw APIError.badRequest("malformed_json", "The body is not valid JSON.")
        }
        guard let dictionary = object as? [String: Any] else {
            throw APIError.badRequest("malformed_json", "The body must be a JSON object.")
        }
        let unknown = Set(dictionary.keys).subtracting(Body.fields).sorted()
        if !unknown.isEmpty {
            throw DomainError.validation(
                unknown.map {
                    FieldError(field: $0, code: "unknown_field", message: "'\($0)' is not a field of this request.")
                })
        }
        do {
            return try JSONDecoder().decode(Body.self, from: data)
        } catch let error as DecodingError {
            throw DomainError.validation([FieldError(error)])
        }
    }
}

extension APIError {
    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(
            .contentTooLarge, code: "body_too_large", title: "Body too large",
            detail: "The body is larger than the limit of \(limit) bytes.")
    }
}

extension FieldError {
    init(_ error: DecodingError) {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (last.map { [$0] } ?? [])
            return keys.reduce(into: "") { path, key in
                if let index = key.intValue { path += "[\(index)]" } else { path += path.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath, key)
            self.init(field: field, code: "required", message: "'\(field)' is required.")
        case .valueNotFound(_, let context):
            let field = path(context.codingPath)
            self.init(field: field, code: "required", message: "'\(field)' must not be null.")
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            self.init(field: field, code: "invalid_type", message: "'\(field)' must be \(Self.describe(type)).")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            self.init(field: field, code: "invalid_value", message: "'\(field)' has an invalid value.")
        @unknown default:
            self.init(field: "", code: "invalid_value", message: "The body has an invalid value.")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type: "a number"
        default: "of type \(type)"
        }
    }
}

extension Response {
    /// A JSON response with snake_case keys and ISO 8601 dates.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        json(ByteBuffer(bytes: try APIJSON.encoder().encode(value)), status: status, headers: headers)
    }

    static func json(_ value: some JSONWritable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        json(ByteBuffer(bytes: JSONWriter.bytes(of: value)), status: status, headers: headers)
    }

    private static func json(_ body: ByteBuffer, status: HTTPResponse.Status, headers: HTTPFields) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}
