import Foundation

/// A bearer token an identity provider presents to an organization's SCIM endpoint, as stored:
/// never the secret itself. It reaches the SCIM routes of its organization and nothing else.
public struct ScimToken: Sendable, Equatable {
    public let id: ScimTokenID
    public let organizationID: OrganizationID
    public var name: String
    /// The first characters of the secret, to tell tokens apart in a list.
    public var hint: String
    public var createdBy: String
    public let createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(
        id: ScimTokenID, organizationID: OrganizationID, name: String, hint: String, createdBy: String, createdAt: Date,
        lastUsedAt: Date?, revokedAt: Date?
    ) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.hint = hint
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

public typealias ScimTokenID = Identifier<ScimToken>
