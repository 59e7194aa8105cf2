import Foundation
import Logging
import UserSyncDomain
import UserSyncPersistence
import UserSyncSecrets

/// Who may use an organization's console: members, their roles, and the one-time invitation
/// links that bring new ones in. Shared by the console's Members page, the JSON API and the CLI.
public struct ConsoleMembers: Sendable {
    let database: Database
    let settings: ConsoleSettings
    let members = ConsoleMemberRepository()
    let invitations = ConsoleInvitationRepository()
    let audit = AuditLogRepository()

    public init(database: Database, settings: ConsoleSettings) {
        self.database = database
        self.settings = settings
    }

    public func list(_ organization: OrganizationID, includeRevoked: Bool, logger: Logger) async throws -> [ConsoleMember] {
        try await database.withTenant(organization, logger: logger) { db in
            try await members.list(organization, includeRevoked: includeRevoked, on: db, logger: logger)
        }
    }

    public func openInvitations(_ organization: OrganizationID, logger: Logger) async throws -> [ConsoleInvitation] {
        try await database.withTenant(organization, logger: logger) { db in
            try await invitations.listOpen(organization, at: settings.now(), on: db, logger: logger)
        }
    }

    /// An invitation as created: the link is in `link` and is never retrievable again.
    public struct CreatedInvitation: Sendable {
        public let invitation: ConsoleInvitation
        public let link: String
    }

    /// Creates a one-time link that lets its first user in with `role`; with `email`, only an
    /// account with that address can use it.
    public func invite(
        _ organization: OrganizationID, role: APIKeyRole, email: String?, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws -> CreatedInvitation {
        var address: String?
        if let email, !email.trimmingCharacters(in: [" "]).isEmpty {
            guard let normalized = EmailAddress.normalize(email), normalized.unicodeScalars.contains("@"), normalized.unicodeScalars.count <= 320,
                !normalized.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " })
            else { throw DomainError.invalid("email", "invalid_format", "email must be an address such as ada@example.com.") }
            address = normalized
        }
        let token = ScopedToken(prefix: ScopedToken.invitationPrefix, organizationID: organization)
        let now = settings.now()
        let invitation = ConsoleInvitation(
            id: .random(), organizationID: organization, role: role, email: address, createdBy: actor.label, createdAt: now,
            expiresAt: now.addingTimeInterval(settings.invitationLifetime.seconds), acceptedAt: nil, acceptedMemberID: nil, revokedAt: nil)
        try await database.withTenant(organization, logger: logger) { db in
            try await invitations.insert(invitation, hash: token.hash, on: db, logger: logger)
            try await audit.append(
                .init(
                    action: "console.invitation_created", targetType: "invitation", targetID: invitation.id.description,
                    details: ["role": role.rawValue, "email": address ?? ""]),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
        }
        return CreatedInvitation(invitation: invitation, link: settings.invitationLink(token.value))
    }

    public func revokeInvitation(
        _ id: ConsoleInvitationID, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws {
        try await database.withTenant(organization, logger: logger) { db in
            try await invitations.revoke(organization, id, at: settings.now(), on: db, logger: logger)
            try await audit.append(
                .init(action: "console.invitation_revoked", targetType: "invitation", targetID: id.description),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
        }
    }

    /// Changes a member's role; a member cannot change their own, so nobody locks themselves out.
    public func setRole(
        _ id: ConsoleMemberID, role: APIKeyRole, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws -> ConsoleMember {
        try refuseSelf(id, actor: actor)
        return try await database.withTenant(organization, logger: logger) { db in
            let member = try await members.setRole(organization, id, role: role, on: db, logger: logger)
            try await audit.append(
                .init(
                    action: "console.member_role_changed", targetType: "member", targetID: id.description,
                    details: ["role": role.rawValue, "name": member.identity.label]),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            return member
        }
    }

    /// Revokes a member: their sessions end at once and they cannot sign in again, even as a
    /// platform admin, until they are invited again.
    public func revoke(
        _ id: ConsoleMemberID, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws -> ConsoleMember {
        try refuseSelf(id, actor: actor)
        return try await database.withTenant(organization, logger: logger) { db in
            let member = try await members.revoke(organization, id, at: settings.now(), on: db, logger: logger)
            try await audit.append(
                .init(action: "console.member_revoked", targetType: "member", targetID: id.description, details: ["name": member.identity.label]),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            return member
        }
    }

    private func refuseSelf(_ id: ConsoleMemberID, actor: AuditActor) throws {
        if case .member(let me) = actor, me == id {
            throw DomainError.conflict(code: "own_membership", message: "You cannot change your own access; ask another admin.")
        }
    }
}
