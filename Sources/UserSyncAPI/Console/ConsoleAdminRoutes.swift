import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncUseCases

/// Activity (the audit log), API keys, Members and Jobs.
struct ConsoleAdminRoutes {
    let activity: ActivityLog
    let administration: OrganizationAdministration
    let members: ConsoleMembers
    let renderer: ConsoleRenderer

    func addRoutes(to console: RouterGroup<ConsoleContext>) {
        console.get("activity", use: activityPage)
        console.get("keys", use: keys)
        console.post("keys", use: createKey)
        console.post("keys/{key_id}/revoke", use: revokeKey)
        console.get("members", use: membersPage)
        console.post("members/invitations", use: invite)
        console.post("members/invitations/{invitation_id}/revoke", use: revokeInvitation)
        console.post("members/{member_id}/role", use: setRole)
        console.post("members/{member_id}/revoke", use: revokeMember)
        console.get("jobs", use: jobs)
    }

    private func base(_ context: ConsoleContext) -> String { "/console/\(context.identity.organization.slug.rawValue)" }

    // MARK: Activity

    struct ActivityPage {
        let entries: [Entry]
        let none: Bool
        let action: String
        let actors: [PeoplePage.Option]
        let since: String
        let until: String
        let next: String?
        let first: String?

        struct Entry {
            let at: String
            let actor: String
            let action: String
            let target: String?
            let details: [Detail]
            let requestID: String?
        }

        struct Detail {
            let name: String
            let value: String
        }
    }

    @Sendable func activityPage(_ request: Request, context: ConsoleContext) async throws -> Response {
        let query = ConsoleForm(encoded: request.uri.query ?? "")
        var filter = AuditQuery()
        filter.limit = 50
        filter.action = query["action"]
        filter.actorKind = query["actor_kind"]
        filter.since = try query["since"].map { try Self.day($0, field: "since") }
        filter.until = try query["until"].map { try Self.day($0, field: "until").addingTimeInterval(86_400) }
        filter.before = query["before"].flatMap(Int64.init)
        let (entries, before) = try await activity.entries(context.organization, filter, logger: context.logger)
        let names = try await activity.actorNames(context.organization, logger: context.logger)
        var kept = query.fields.filter { $0.name != "before" && !$0.value.isEmpty }.map { ($0.name, $0.value) }
        let list = "\(base(context))/activity"
        let page = ActivityPage(
            entries: entries.map { entry in
                ActivityPage.Entry(
                    at: ConsoleFormat.dateTime(entry.at),
                    actor: PersonPage.actor(entry.actorID.map { "\(entry.actorKind):\($0)" } ?? entry.actorKind, names: names),
                    action: entry.action, target: entry.targetType.map { type in "\(type) \(entry.targetID ?? "")" },
                    details: entry.details.sorted { $0.key < $1.key }.filter { !$0.value.isEmpty }.map { .init(name: $0.key, value: $0.value) },
                    requestID: entry.requestID)
            },
            none: entries.isEmpty, action: query["action"] ?? "",
            actors: [
                ("", "Anyone"), ("member", "Console members"), ("admin", "Admin API keys"), ("operator", "The operator"),
                ("system", "UserSync"), ("user", "People themselves"), ("auto_sync", "Auto Sync"),
            ]
            .map { .init(value: $0.0, label: $0.1, selected: $0.0 == (query["actor_kind"] ?? "")) },
            since: query["since"] ?? "", until: query["until"] ?? "",
            next: before.map {
                kept.append(("before", String($0)))
                return "\(list)?\(ConsoleSignInRoutes.query(kept))"
            },
            first: filter.before == nil ? nil : list)
        return renderer.page("activity", title: "Activity", identity: context.identity, section: .activity, body: page)
    }

    static func day(_ text: String, field: String) throws -> Date {
        let strategy = Date.ISO8601FormatStyle().year().month().day()
        guard let date = try? Date(text, strategy: strategy) else {
            throw DomainError.invalid(field, "invalid_format", "Dates are written as 2026-12-03.")
        }
        return date
    }

    // MARK: API keys

    struct KeysPage {
        let keys: [Key]
        let created: Created?
        let canManage: Bool
        let error: String?

        struct Key {
            let id: String
            let name: String
            let role: String
            let hint: String
            let created: String
            let lastUsed: String?
            let revoked: String?
            let revokeAction: String
        }

        struct Created {
            let name: String
            let secret: String
        }
    }

    @Sendable func keys(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await keysPage(context, created: nil, error: nil, notice: ConsoleNotice.text(request))
    }

    func keysPage(_ context: ConsoleContext, created: KeysPage.Created?, error: String?, notice: String?, status: HTTPResponse.Status = .ok)
        async throws -> Response
    {
        let canManage = context.identity.role == .admin
        let keys = canManage ? try await administration.listKeys(in: context.organization, includeRevoked: true, logger: context.logger) : []
        let page = KeysPage(
            keys: keys.map { key in
                KeysPage.Key(
                    id: key.id.description, name: key.name, role: key.role.rawValue, hint: "usk_…\(key.hint)…",
                    created: ConsoleFormat.dateTime(key.createdAt), lastUsed: key.lastUsedAt.map(ConsoleFormat.dateTime),
                    revoked: key.revokedAt.map(ConsoleFormat.dateTime), revokeAction: "\(base(context))/keys/\(key.id)/revoke")
            },
            created: created, canManage: canManage, error: error)
        return renderer.page("keys", title: "API keys", identity: context.identity, section: .keys, body: page, status: status, notice: notice)
    }

    @Sendable func createKey(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let role = APIKeyRole(rawValue: context.form["role"] ?? "") ?? .viewer
        do {
            let created = try await administration.createKey(
                in: context.organization, name: context.form.raw("name") ?? "", role: role, actor: context.actor, requestID: context.requestID,
                logger: context.logger)
            return try await keysPage(
                context, created: .init(name: created.key.name, secret: created.token), error: nil, notice: nil, status: .created)
        } catch let error as DomainError {
            return try await keysPage(context, created: nil, error: APIError(error).detail, notice: nil, status: APIError(error).status)
        }
    }

    @Sendable func revokeKey(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        guard let id = context.parameters.get("key_id").flatMap(APIKeyID.init) else { throw DomainError.notFound(resource: "api_key") }
        _ = try await administration.revokeKey(
            id, in: context.organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
        throw ConsoleRedirect.to("\(base(context))/keys?notice=key_revoked")
    }

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

    // MARK: Jobs

    struct JobsPage {
        let jobs: [Job]
        let none: Bool
        let states: [PeoplePage.Option]
        let kind: String
        let next: String?
        let first: String?

        struct Job {
            let id: String
            let kind: String
            let state: String
            let icon: String
            let attempts: String
            let created: String
            let finished: String?
            let runAt: String?
            let error: String?
        }
    }

    @Sendable func jobs(_ request: Request, context: ConsoleContext) async throws -> Response {
        let query = ConsoleForm(encoded: request.uri.query ?? "")
        let state = query["state"].flatMap(JobState.init(rawValue:))
        let before = query["before"].flatMap(Int64.init)
        let (jobs, last) = try await activity.jobs(
            context.organization, kind: query["kind"], state: state, before: before, limit: 50, logger: context.logger)
        var kept = query.fields.filter { $0.name != "before" && !$0.value.isEmpty }.map { ($0.name, $0.value) }
        let list = "\(base(context))/jobs"
        let page = JobsPage(
            jobs: jobs.map { job in
                let icon =
                    switch job.state {
                    case .queued, .running: "pending"
                    case .succeeded: "synced"
                    case .failed: "failed"
                    case .cancelled: "not_created"
                    }
                return JobsPage.Job(
                    id: String(job.id), kind: job.kind, state: job.state.rawValue, icon: icon,
                    attempts: "\(job.attempts) of \(job.maxAttempts)", created: ConsoleFormat.dateTime(job.createdAt),
                    finished: job.finishedAt.map(ConsoleFormat.dateTime), runAt: job.state == .queued ? ConsoleFormat.dateTime(job.runAt) : nil,
                    error: job.lastError)
            },
            none: jobs.isEmpty,
            states: ([("", "Any state")] + JobState.allCases.map { ($0.rawValue, $0.rawValue.capitalized) })
                .map { .init(value: $0.0, label: $0.1, selected: $0.0 == (query["state"] ?? "")) },
            kind: query["kind"] ?? "",
            next: last.map {
                kept.append(("before", String($0)))
                return "\(list)?\(ConsoleSignInRoutes.query(kept))"
            },
            first: before == nil ? nil : list)
        return renderer.page(
            "jobs", title: "Jobs", identity: context.identity, section: .jobs, body: page,
            refresh: jobs.contains { $0.state == .running || $0.state == .queued })
    }
}
