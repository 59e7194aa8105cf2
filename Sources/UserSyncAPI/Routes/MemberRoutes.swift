import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// `/v1/orgs/{org}/members` and `/invitations`: who may sign in to the console. Any key of the
/// organization reads; the operator and admin keys invite, change roles and revoke.
struct MemberRoutes {
    let members: ConsoleMembers

    struct RoleBody: RequestBody {
        static let fields: Set<String> = ["role"]
        let role: APIKeyRole
    }

    struct InvitationBody: RequestBody {
        static let fields: Set<String> = ["role", "email"]
        let role: APIKeyRole
        let email: String?
    }

    func addRoutes(to org: RouterGroup<TenantRequestContext>) {
        org.get("members", use: list)
        org.patch("members/{member_id}", use: update)
        org.delete("members/{member_id}", use: revoke)
        org.get("invitations", use: invitations)
        org.post("invitations", use: invite)
        org.delete("invitations/{invitation_id}", use: withdraw)
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try request.allowQueryParameters(["include_revoked"])
        let all = try await members.list(
            context.organization.id, includeRevoked: try request.boolean("include_revoked", default: false), logger: context.logger)
        return try .json(Page(items: all.map(MemberRepresentation.init), nextCursor: nil))
    }

    @Sendable func update(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireAdmin()
        let id = try context.parameters.identifier("member_id", as: ConsoleMemberID.self)
        let body = try await request.decodeBody(RoleBody.self, limit: context.bodyLimit)
        let member = try await members.setRole(
            id, role: body.role, organization: context.organization.id, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(MemberRepresentation(member))
    }

    @Sendable func revoke(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireAdmin()
        let id = try context.parameters.identifier("member_id", as: ConsoleMemberID.self)
        let member = try await members.revoke(
            id, organization: context.organization.id, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(MemberRepresentation(member))
    }

    @Sendable func invitations(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try request.allowQueryParameters([])
        let open = try await members.openInvitations(context.organization.id, logger: context.logger)
        return try .json(Page(items: open.map { InvitationRepresentation($0, link: nil) }, nextCursor: nil))
    }

    /// 201 with the one-time link, shown only here.
    @Sendable func invite(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireAdmin()
        let body = try await request.decodeBody(InvitationBody.self, limit: context.bodyLimit)
        let created = try await members.invite(
            context.organization.id, role: body.role, email: body.email, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(InvitationRepresentation(created.invitation, link: created.link), status: .created)
    }

    @Sendable func withdraw(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireAdmin()
        let id = try context.parameters.identifier("invitation_id", as: ConsoleInvitationID.self)
        try await members.revokeInvitation(
            id, organization: context.organization.id, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return Response(status: .noContent)
    }
}

/// A console member as the API shows them.
struct MemberRepresentation: Encodable, Sendable {
    struct Account: Encodable, Sendable {
        let provider: IdentityProvider
        let tenant: String
        let subject: String
        @Nullable var email: String?
        @Nullable var displayName: String?
    }

    let id: ConsoleMemberID
    let role: APIKeyRole
    let account: Account
    let source: ConsoleMember.Source
    let createdBy: String
    let createdAt: Date
    @Nullable var lastSignedInAt: Date?
    @Nullable var revokedAt: Date?

    init(_ member: ConsoleMember) {
        id = member.id
        role = member.role
        account = Account(
            provider: member.identity.provider, tenant: member.identity.tenant, subject: member.identity.subject, email: member.identity.email,
            displayName: member.identity.displayName)
        source = member.source
        createdBy = member.createdBy
        createdAt = member.createdAt
        lastSignedInAt = member.lastSignedInAt
        revokedAt = member.revokedAt
    }
}

/// An invitation: its link only in the answer that created it.
struct InvitationRepresentation: Encodable, Sendable {
    let id: ConsoleInvitationID
    let role: APIKeyRole
    @Nullable var email: String?
    let createdBy: String
    let createdAt: Date
    let expiresAt: Date
    let url: String?

    init(_ invitation: ConsoleInvitation, link: String?) {
        id = invitation.id
        role = invitation.role
        email = invitation.email
        createdBy = invitation.createdBy
        createdAt = invitation.createdAt
        expiresAt = invitation.expiresAt
        url = link
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(role, forKey: .role)
        try container.encode(email, forKey: .email)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encodeIfPresent(url, forKey: .url)
    }

    enum CodingKeys: String, CodingKey { case id, role, email, createdBy, createdAt, expiresAt, url }
}
