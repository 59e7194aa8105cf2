import Foundation
import Hummingbird
import UserSyncDomain

/// SCIM responses: `application/scim+json` (RFC 7644 §8.1), keys as the schemas spell them.
extension Response {
    static let scimMediaType = "application/scim+json"

    static func scim(_ body: ScimJSON, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        scimResponse(ScimJSONEncoding.data(body), status: status, headers: headers)
    }

    static func scim(_ error: ScimError, headers: HTTPFields = [:]) -> Response {
        scimResponse(ScimJSONEncoding.data(error.body), status: .init(code: error.status), headers: headers)
    }

    /// 204: a PATCH of a group (Entra wants no member list back) and every DELETE.
    static var scimNoContent: Response { Response(status: .noContent) }

    private static func scimResponse(_ data: Data, status: HTTPResponse.Status, headers: HTTPFields) -> Response {
        var headers = headers
        headers[.contentType] = scimMediaType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

enum ScimJSONEncoding {
    /// Sorted keys, so that the same resource is always the same bytes; slashes unescaped in
    /// locations. Encoding a ``ScimJSON`` or ``ScimErrorBody`` cannot fail.
    static func data(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }
}
