extension ScimError {
    /// The SCIM form of a ``DomainError`` raised behind a SCIM route (a repository's unique
    /// violation, an unknown id), so the identity provider always gets the SCIM error shape.
    public init(_ error: DomainError) {
        switch error {
        case .notFound(let resource):
            self = .notFound("\(resource) not found.")
        case .conflict(_, let message):
            self = .uniqueness(message)
        case .validation(let problems):
            self = .invalidValue(problems.map { "\($0.field): \($0.message)" }.joined(separator: " "))
        case .badReference(_, let message):
            self = .invalidValue(message)
        case .forbidden(let message):
            self = ScimError(status: 403, detail: message)
        case .unauthenticated(let message):
            self = ScimError(status: 401, detail: message)
        }
    }
}
