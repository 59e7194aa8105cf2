import Foundation

/// A one-time link that lets its first user in as a member with `role`. An invitation for an
/// address is accepted only by an account with that address.
public struct ConsoleInvitation: Sendable, Equatable {
    public let id: ConsoleInvitationID
    public let organizationID: OrganizationID
    public var role: APIKeyRole
    /// Normalized; nil admits any account.
    public var email: String?
    public var createdBy: String
    public let createdAt: Date
    public var expiresAt: Date
    public var acceptedAt: Date?
    public var acceptedMemberID: ConsoleMemberID?
    public var revokedAt: Date?

    public init(
        id: ConsoleInvitationID, organizationID: OrganizationID, role: APIKeyRole, email: String?, createdBy: String, createdAt: Date,
        expiresAt: Date, acceptedAt: Date?, acceptedMemberID: ConsoleMemberID?, revokedAt: Date?
    ) {
        self.id = id
        self.organizationID = organizationID
        self.role = role
        self.email = email
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.acceptedAt = acceptedAt
        self.acceptedMemberID = acceptedMemberID
        self.revokedAt = revokedAt
    }

    /// Why an invitation can no longer be used, or nil while it can.
    public func unusable(at now: Date) -> ConsoleAdmission.Refusal? {
        if acceptedAt != nil { return .invitationUsed }
        if revokedAt != nil { return .invitationRevoked }
        if expiresAt <= now { return .invitationExpired }
        return nil
    }

    /// How long an invitation link works unless its creator says otherwise.
    public static let defaultLifetime: TimeInterval = 7 * 24 * 3600
}

public typealias ConsoleInvitationID = Identifier<ConsoleInvitation>
