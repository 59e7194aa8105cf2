/// One change a User PATCH makes to the attributes this endpoint keeps. A nil value clears the
/// attribute. The list from ``ScimPatchRequest/userChanges()`` is applied in order, all of it in
/// one transaction: it is only returned once every operation has been validated.
public enum ScimUserChange: Sendable, Equatable {
    case userName(String)
    case externalId(String?)
    /// false deactivates (Entra and Okta soft-delete this way); the user stays readable.
    case active(Bool)
    case displayName(String?)
    case givenName(String?)
    case familyName(String?)
    case formattedName(String?)
    /// The one kept email (``ScimUserInput/email``).
    case email(String?)
}

extension ScimUserInput {
    /// The user after `changes`, for a caller that reads the row, applies the PATCH and writes
    /// the row back.
    public func applying(_ changes: [ScimUserChange]) -> ScimUserInput {
        var user = self
        for change in changes {
            switch change {
            case .userName(let value): user.userName = value
            case .externalId(let value): user.externalId = value
            case .active(let value): user.active = value
            case .displayName(let value): user.displayName = value
            case .givenName(let value): user.name.givenName = value
            case .familyName(let value): user.name.familyName = value
            case .formattedName(let value): user.name.formatted = value
            case .email(let value): user.email = value
            }
        }
        return user
    }
}
