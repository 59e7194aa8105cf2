import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// `/v1/orgs/{org}/scim/tokens`: the operator and the organization's admin keys manage the bearer
/// tokens its identity provider presents to the SCIM endpoint.
struct ScimTokenRoutes {
    let tokens: ScimTokens

    struct CreateBody: RequestBody {
        static let fields: Set<String> = ["name"]
        let name: String
    }

    func addRoutes(to org: RouterGroup<TenantRequestContext>) {
        org.post("scim/tokens", use: create)
        org.get("scim/tokens", use: list)
        org.delete("scim/tokens/{token_id}", use: revoke)
    }

    @Sendable func create(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireAdmin()
        let body = try await request.decodeBody(CreateBody.self, limit: context.bodyLimit)
        let created = try await tokens.create(
            body.name, organization: context.organization.id, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(ScimTokenRepresentation(created.token, secret: created.secret), status: .created, headers: [.cacheControl: "no-store"])
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireAdmin()
        try request.allowQueryParameters(["include_revoked"])
        let includeRevoked = try request.boolean("include_revoked", default: false)
        let listed = try await tokens.list(context.organization.id, includeRevoked: includeRevoked, logger: context.logger)
        return try .json(Page(items: listed.map { ScimTokenRepresentation($0) }, nextCursor: nil))
    }

    @Sendable func revoke(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireAdmin()
        let id = try context.parameters.identifier("token_id", as: ScimTokenID.self)
        let revoked = try await tokens.revoke(
            id, organization: context.organization.id, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(ScimTokenRepresentation(revoked))
    }
}

/// A SCIM token as the API shows it; the secret only in the answer that created it.
struct ScimTokenRepresentation: Encodable, Sendable {
    let id: ScimTokenID
    let name: String
    let hint: String
    let createdBy: String
    let createdAt: Date
    @Nullable var lastUsedAt: Date?
    @Nullable var revokedAt: Date?
    let secret: String?

    init(_ token: ScimToken, secret: String? = nil) {
        id = token.id
        name = token.name
        hint = token.hint
        createdBy = token.createdBy
        createdAt = token.createdAt
        lastUsedAt = token.lastUsedAt
        revokedAt = token.revokedAt
        self.secret = secret
    }
}
