/// The SCIM error message (RFC 7644 §3.12) exactly as it goes on the wire.
public struct ScimErrorBody: Codable, Sendable, Equatable {
    public var schemas: [String]
    /// A string, not a number: RFC 7644 §3.12 says so, and Entra parses it as one.
    public var status: String
    /// Left out of the JSON when nil (synthesized `Encodable` skips nil optionals).
    public var scimType: ScimError.ScimType?
    public var detail: String?

    public init(schemas: [String] = [ScimSchema.error], status: String, scimType: ScimError.ScimType?, detail: String?) {
        self.schemas = schemas
        self.status = status
        self.scimType = scimType
        self.detail = detail
    }
}

extension ScimError {
    /// The body to send with ``status`` and `Content-Type: application/scim+json`.
    public var body: ScimErrorBody {
        ScimErrorBody(status: String(status), scimType: scimType, detail: detail)
    }
}
