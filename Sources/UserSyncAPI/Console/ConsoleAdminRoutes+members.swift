import Hummingbird
import UserSyncDomain

extension ConsoleAdminRoutes {
    // MARK: Members

    struct MembersPage {
        let members: [Member]
        let invitations: [Invitation]
        let link: CreatedLink?
        let canManage: Bool
        let error: String?

        struct Member {
            let id: String
            let name: String
            let account: String
            let role: String
            let admin: Bool
            let source: String
            let lastSignIn: String?
            let revoked: String?
            let me: Bool
            let roleAction: String
            let revokeAction: String
        }

        struct Invitation {
            let role: String
            let email: String?
            let created: String
            let expires: String
            let revokeAction: String
        }

        struct CreatedLink {
            let link: String
            let role: String
            let email: String?
        }
    }

    @Sendable func membersPage(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await membersPage(context, link: nil, error: nil, notice: ConsoleNotice.text(request))
    }

    func membersPage(_ context: ConsoleContext, link: MembersPage.CreatedLink?, error: String?, notice: String?, status: HTTPResponse.Status = .ok)
        async throws -> Response
    {
        let all = try await members.list(context.organization, includeRevoked: true, logger: context.logger)
        let invitations = try await members.openInvitations(context.organization, logger: context.logger)
        let base = base(context)
        let page = MembersPage(
            members: all.map { member in
                MembersPage.Member(
                    id: member.id.description, name: member.identity.displayName ?? member.identity.email ?? member.identity.subject,
                    account: "\(member.identity.provider.displayName) · \(member.identity.email ?? member.identity.subject)",
                    role: member.role.rawValue, admin: member.role == .admin,
                    source: member.source == .invitation ? "Invited" : "Platform admin",
                    lastSignIn: member.lastSignedInAt.map(ConsoleFormat.dateTime), revoked: member.revokedAt.map(ConsoleFormat.dateTime),
                    me: member.id == context.identity.memberID, roleAction: "\(base)/members/\(member.id)/role",
                    revokeAction: "\(base)/members/\(member.id)/revoke")
            },
            invitations: invitations.map {
                MembersPage.Invitation(
                    role: $0.role.rawValue, email: $0.email, created: ConsoleFormat.dateTime($0.createdAt),
                    expires: ConsoleFormat.dateTime($0.expiresAt),
                    revokeAction: "\(base)/members/invitations/\($0.id)/revoke")
            },
            link: link, canManage: context.identity.canWrite, error: error)
        return renderer.page("members", title: "Members", identity: context.identity, section: .members, body: page, status: status, notice: notice)
    }

    @Sendable func invite(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let role = APIKeyRole(rawValue: context.form["role"] ?? "") ?? .viewer
        do {
            let created = try await members.invite(
                context.organization, role: role, email: context.form["email"], actor: context.actor, requestID: context.requestID,
                logger: context.logger)
            return try await membersPage(
                context, link: .init(link: created.link, role: role.rawValue, email: created.invitation.email), error: nil, notice: nil,
                status: .created)
        } catch let error as DomainError {
            return try await membersPage(context, link: nil, error: APIError(error).detail, notice: nil, status: APIError(error).status)
        }
    }

    @Sendable func revokeInvitation(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        guard let id = context.parameters.get("invitation_id").flatMap(ConsoleInvitationID.init) else {
            throw DomainError.notFound(resource: "invitation")
        }
        try await members.revokeInvitation(
            id, organization: context.organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
        throw ConsoleRedirect.to("\(base(context))/members?notice=invitation_revoked")
    }

    @Sendable func setRole(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let id = try Self.memberID(context)
        guard let role = APIKeyRole(rawValue: context.form["role"] ?? "") else {
            throw DomainError.invalid("role", "invalid_value", "Choose admin or viewer.")
        }
        _ = try await members.setRole(
            id, role: role, organization: context.organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
        throw ConsoleRedirect.to("\(base(context))/members?notice=member_updated")
    }

    @Sendable func revokeMember(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let id = try Self.memberID(context)
        _ = try await members.revoke(
            id, organization: context.organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
        throw ConsoleRedirect.to("\(base(context))/members?notice=member_revoked")
    }

    static func memberID(_ context: ConsoleContext) throws -> ConsoleMemberID {
        guard let id = context.parameters.get("member_id").flatMap(ConsoleMemberID.init) else { throw DomainError.notFound(resource: "member") }
        return id
    }
}
