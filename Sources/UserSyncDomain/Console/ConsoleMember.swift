import Foundation

/// Someone allowed into an organization's console: a platform account (a Slack user of a
/// workspace, an Entra user of a tenant) with a role. The role is the same as an API key's:
/// admins change things, viewers only read.
public struct ConsoleMember: Sendable, Equatable {
    public let id: ConsoleMemberID
    public let organizationID: OrganizationID
    public var role: APIKeyRole
    public var identity: SignInIdentity
    public var source: Source
    public var createdBy: String
    public let createdAt: Date
    public var lastSignedInAt: Date?
    public var revokedAt: Date?

    /// How the member came in.
    public enum Source: String, Sendable, Codable, CaseIterable {
        /// Accepted a one-time invitation link.
        case invitation
        /// Signed in as an admin or owner of a workspace or tenant the organization has connected.
        case platformAdmin = "platform_admin"
    }

    public init(
        id: ConsoleMemberID, organizationID: OrganizationID, role: APIKeyRole, identity: SignInIdentity, source: Source,
        createdBy: String, createdAt: Date, lastSignedInAt: Date?, revokedAt: Date?
    ) {
        self.id = id
        self.organizationID = organizationID
        self.role = role
        self.identity = identity
        self.source = source
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.lastSignedInAt = lastSignedInAt
        self.revokedAt = revokedAt
    }

    public var isRevoked: Bool { revokedAt != nil }
}

public typealias ConsoleMemberID = Identifier<ConsoleMember>
