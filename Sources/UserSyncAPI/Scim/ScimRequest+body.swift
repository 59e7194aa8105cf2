import Foundation
import Hummingbird
import UserSyncDomain

extension Request {
    /// The body of a SCIM POST, PUT or PATCH, unparsed: `application/scim+json` or
    /// `application/json` (Entra sends the one, some Okta integrations the other; a body with no
    /// Content-Type is read as JSON too), at most `limit` bytes. The resource types parse it.
    func scimBody(limit: Int) async throws -> Data {
        if let contentType = headers[.contentType] {
            let mediaType = contentType.split(separator: ";", maxSplits: 1)[0].trimmingCharacters(in: .whitespaces).lowercased()
            guard mediaType == Response.scimMediaType || mediaType == "application/json" else {
                throw ScimError(status: 415, detail: "Send the body as \(Response.scimMediaType) or application/json, not \(contentType).")
            }
        }
        do {
            return Data(buffer: try await body.collect(upTo: limit))
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw ScimError.payloadTooLarge(maxBytes: limit)
        }
    }
}
