import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// `/v1/orgs`: the operator manages organizations; an organization's own keys can read (and its
/// admin keys rename) their organization.
struct OrganizationRoutes {
    let administration: OrganizationAdministration

    struct CreateBody: RequestBody {
        static let fields: Set<String> = ["slug", "name"]
        let slug: String
        let name: String
    }

    struct RenameBody: RequestBody {
        static let fields: Set<String> = ["name"]
        let name: String
    }

    func addRoutes(to orgs: RouterGroup<AppRequestContext>) {
        orgs.post(use: create)
        orgs.get(use: list)
    }

    func addTenantRoutes(to org: RouterGroup<TenantRequestContext>) {
        org.get(use: get)
        org.patch(use: rename)
        org.delete(use: delete)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        try Self.requireOperator(context)
        let body = try await request.decodeBody(CreateBody.self, limit: context.bodyLimit)
        let slug = try Slug(validating: body.slug)
        let organization = try await administration.createOrganization(
            slug: slug, name: body.name, actor: .operator, requestID: context.requestID, logger: context.logger)
        return try .json(
            OrganizationRepresentation(organization), status: .created,
            headers: [.location: "/v1/orgs/\(organization.slug)"])
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        try Self.requireOperator(context)
        try request.allowQueryParameters(["limit", "cursor"])
        let limit = try request.integer("limit", default: 50, range: 1...200)
        let cursor = try request.cursor()
        let organizations = try await administration.listOrganizations(after: cursor, limit: limit + 1, logger: context.logger)
        let page = Array(organizations.prefix(limit))
        let next = organizations.count > limit ? page.last.map { Data($0.slug.rawValue.utf8).base64URL } : nil
        return try .json(Page(items: page.map(OrganizationRepresentation.init), nextCursor: next))
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try .json(OrganizationRepresentation(context.organization))
    }

    @Sendable func rename(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let body = try await request.decodeBody(RenameBody.self, limit: context.bodyLimit)
        let organization = try await administration.renameOrganization(
            context.organization.id, to: body.name, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(OrganizationRepresentation(organization))
    }

    @Sendable func delete(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireOperator()
        try await administration.deleteOrganization(context.organization.id, logger: context.logger)
        return Response(status: .noContent)
    }

    static func requireOperator(_ context: AppRequestContext) throws {
        guard case .operator? = context.principal else {
            throw DomainError.forbidden(message: "Only the operator token can do this.")
        }
    }
}
