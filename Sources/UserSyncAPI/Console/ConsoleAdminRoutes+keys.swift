import Hummingbird
import UserSyncDomain

extension ConsoleAdminRoutes {
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
}
