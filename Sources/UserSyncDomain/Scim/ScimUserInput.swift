import Foundation

/// The attributes of a SCIM User this endpoint keeps, as a create (`POST /Users`) or a full
/// replace (`PUT /Users/{id}`, Okta's AIW apps) sends them, and as PATCH changes edit them.
///
/// Everything else the identity provider sends is ignored rather than refused, because Entra
/// and Okta send whatever their mapping holds: `id` and `meta` (read-only), `password` (Okta;
/// never kept), `groups`, `roles`, phone numbers, addresses, the enterprise extension
/// (`employeeNumber`, `department`, `manager`) and custom extension schemas.
public struct ScimUserInput: Sendable, Equatable {
    /// Unique in the organization (Entra: the UPN); stored as sent.
    public var userName: String
    public var externalId: String?
    /// Nil when the body leaves `active` out. A create treats that as active (both IdPs send
    /// it); a replace should keep the stored value, so a PUT that forgets it never deactivates
    /// someone by accident — Okta deactivates with an explicit `false`.
    public var active: Bool?
    public var displayName: String?
    public var name: Name
    /// The address kept from `emails`: primary, else `type` "work", else the first.
    public var email: String?

    public init(
        userName: String, externalId: String? = nil, active: Bool? = nil, displayName: String? = nil, name: Name = Name(), email: String? = nil
    ) {
        self.userName = userName
        self.externalId = externalId
        self.active = active
        self.displayName = displayName
        self.name = name
        self.email = email
    }

    /// RFC 7643 §4.1.1 `name`, the parts Entra and Okta map.
    public struct Name: Sendable, Equatable {
        public var givenName: String?
        public var familyName: String?
        public var formatted: String?

        public init(givenName: String? = nil, familyName: String? = nil, formatted: String? = nil) {
            self.givenName = givenName
            self.familyName = familyName
            self.formatted = formatted
        }
    }

    /// A name to show: `displayName`, else `name.formatted`, else given and family names.
    /// Entra's default mapping sends no `displayName` on create.
    public var preferredDisplayName: String? {
        if let displayName { return displayName }
        if let formatted = name.formatted { return formatted }
        let parts = [name.givenName, name.familyName].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }
}
