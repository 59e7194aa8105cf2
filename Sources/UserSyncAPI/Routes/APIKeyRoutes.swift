import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// `/v1/orgs/{org}/keys`: the operator and the organization's admin keys manage its API keys.
struct APIKeyRoutes {
    let administration: OrganizationAdministration

    struct CreateBody: RequestBody {
        static let fields: Set<String> = ["name", "role"]
        let name: String
        let role: String
    }

    func addRoutes(to org: RouterGroup<TenantRequestContext>) {
        org.post("keys", use: create)
        org.get("keys", use: list)
        org.delete("keys/{key_id}", use: revoke)
    }

    @Sendable func create(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireAdmin()
        let body = try await request.decodeBody(CreateBody.self, limit: context.bodyLimit)
        guard let role = APIKeyRole(rawValue: body.role) else {
            throw DomainError.invalid("role", "invalid_value", "'role' must be 'admin' or 'viewer'.")
        }
        let created = try await administration.createKey(
            in: context.organization.id, name: body.name, role: role, actor: context.actor,
            requestID: context.requestID, logger: context.logger)
        return try .json(
            APIKeyRepresentation(created.key, secret: created.token), status: .created,
            headers: [.cacheControl: "no-store"])
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireAdmin()
        try request.allowQueryParameters(["include_revoked"])
        let includeRevoked = try request.boolean("include_revoked", default: false)
        let keys = try await administration.listKeys(in: context.organization.id, includeRevoked: includeRevoked, logger: context.logger)
        return try .json(Page(items: keys.map { APIKeyRepresentation($0) }, nextCursor: nil))
    }

    @Sendable func revoke(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireAdmin()
        let id = try context.parameters.identifier("key_id", as: APIKeyID.self)
        let key = try await administration.revokeKey(
            id, in: context.organization.id, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(APIKeyRepresentation(key))
    }
}
