/// Failures the rules of the product can explain. They know nothing of HTTP; the API maps them
/// in one place.
public enum DomainError: Error, Sendable, Equatable {
    /// The resource does not exist, or exists in another organization (never told apart).
    case notFound(resource: String)
    /// The request conflicts with stored state (duplicate slug, already revoked, …).
    case conflict(code: String, message: String)
    /// One or more fields are invalid.
    case validation([FieldError])
    /// A malformed or foreign reference the client passed along (a cursor, a token).
    case badReference(code: String, message: String)
    /// The caller is authenticated but its role may not do this.
    case forbidden(message: String)
    /// No credentials, or credentials that match nothing.
    case unauthenticated(message: String)

    public static func invalid(_ field: String, _ code: String, _ message: String) -> DomainError {
        .validation([FieldError(field: field, code: code, message: message)])
    }
}
