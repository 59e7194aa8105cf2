/// A failure of a SCIM request, as RFC 7644 §3.12 describes it to the identity provider.
///
/// Unlike ``DomainError`` it carries an HTTP status: in SCIM the status is part of the error
/// message itself (the body repeats it as `status`), and Entra and Okta decide whether to retry,
/// skip or quarantine from the status and `scimType`, so the rule that produced the error is the
/// one that knows them.
public struct ScimError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    /// Set for 400s (and the 409 `uniqueness`); nil where RFC 7644 defines none (404, 413, 500).
    public let scimType: ScimType?
    /// A sentence the identity provider's admin can act on; it shows in their provisioning logs.
    public let detail: String

    public init(status: Int, scimType: ScimType? = nil, detail: String) {
        self.status = status
        self.scimType = scimType
        self.detail = detail
    }

    /// The `scimType` values of RFC 7644 §3.12, table 9.
    public enum ScimType: String, Sendable, Codable, CaseIterable {
        case invalidFilter, tooMany, uniqueness, mutability, invalidSyntax, invalidPath, noTarget, invalidValue, invalidVers, sensitive
    }

    public var description: String {
        "SCIM \(status)\(scimType.map { " \($0.rawValue)" } ?? ""): \(detail)"
    }

    /// 400 with the `scimType` that names what was wrong.
    public static func badRequest(_ scimType: ScimType, _ detail: String) -> ScimError {
        ScimError(status: 400, scimType: scimType, detail: detail)
    }

    public static func invalidFilter(_ detail: String) -> ScimError { .badRequest(.invalidFilter, detail) }
    public static func invalidSyntax(_ detail: String) -> ScimError { .badRequest(.invalidSyntax, detail) }
    public static func invalidPath(_ detail: String) -> ScimError { .badRequest(.invalidPath, detail) }
    public static func invalidValue(_ detail: String) -> ScimError { .badRequest(.invalidValue, detail) }
    public static func mutability(_ detail: String) -> ScimError { .badRequest(.mutability, detail) }
    public static func noTarget(_ detail: String) -> ScimError { .badRequest(.noTarget, detail) }

    /// 404: no such resource in this organization (another organization's is never told apart).
    public static func notFound(_ detail: String) -> ScimError { ScimError(status: 404, detail: detail) }

    /// 409 `uniqueness`: e.g. a second user with the same `userName`; Entra then matches the
    /// existing one instead of retrying the create.
    public static func uniqueness(_ detail: String) -> ScimError { ScimError(status: 409, scimType: .uniqueness, detail: detail) }

    /// 413: the body is larger than the endpoint accepts (RFC 7644 §3.7.3 uses it for bulk).
    public static func payloadTooLarge(maxBytes: Int) -> ScimError {
        ScimError(status: 413, detail: "The request body is larger than the \(maxBytes) bytes this endpoint accepts.")
    }

    /// 500 in the SCIM shape, for failures that must not leak their cause.
    public static let internalError = ScimError(status: 500, detail: "The request could not be processed; try again later.")
}
