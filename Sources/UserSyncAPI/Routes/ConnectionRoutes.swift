import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// `/v1/orgs/{org}/connections`: the Connect Center. Any key of the organization reads; admin
/// keys connect, change, disconnect, select teams and ask for imports.
struct ConnectionRoutes {
    let center: ConnectCenter

    struct CreateBody: RequestBody {
        static let fields: Set<String> = ["platform", "display_name", "credentials", "api_base_url", "auth_base_url"]
        let platform: String
        let displayName: String?
        let credentials: CredentialsBody
        let apiBaseURL: String?
        let authBaseURL: String?

        enum CodingKeys: String, CodingKey {
            case platform, credentials
            case displayName = "display_name", apiBaseURL = "api_base_url", authBaseURL = "auth_base_url"
        }
    }

    struct UpdateBody: RequestBody {
        static let fields: Set<String> = ["display_name", "credentials", "api_base_url", "auth_base_url"]
        let displayName: String?
        let credentials: CredentialsBody?
        let apiBaseURL: String?
        let authBaseURL: String?

        enum CodingKeys: String, CodingKey {
            case credentials
            case displayName = "display_name", apiBaseURL = "api_base_url", authBaseURL = "auth_base_url"
        }
    }

    struct SelectionBody: RequestBody {
        static let fields: Set<String> = ["select", "deselect"]
        let select: [String]?
        let deselect: [String]?
    }

    func addRoutes(to org: RouterGroup<TenantRequestContext>) {
        org.post("connections", use: create)
        org.get("connections", use: list)
        org.get("connections/{connection_id}", use: get)
        org.patch("connections/{connection_id}", use: update)
        org.delete("connections/{connection_id}", use: disconnect)
        org.post("connections/{connection_id}/verify", use: verify)
        org.get("connections/{connection_id}/teams/available", use: availableTeams)
        org.get("connections/{connection_id}/teams", use: teams)
        org.post("connections/{connection_id}/teams/selection", use: select)
    }

    @Sendable func create(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let body = try await request.decodeBody(CreateBody.self, limit: context.bodyLimit)
        let platform = try Platform.parse(body.platform, field: "platform")
        let connection = try await center.connect(
            .init(
                displayName: body.displayName, credentials: try body.credentials.credentials(for: platform),
                apiBaseURL: body.apiBaseURL, authBaseURL: body.authBaseURL),
            organization: context.organization.id, actor: context.actor, requestID: context.requestID, logger: context.logger)
        let overview = try await center.overview(context.organization.id, connection.id, logger: context.logger)
        return try .json(ConnectionRepresentation(overview), status: .created)
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try request.allowQueryParameters(["platform", "include_disconnected"])
        let platform = try request.choice("platform", as: Platform.self)
        let all = try await center.list(
            context.organization.id, includeDisconnected: try request.boolean("include_disconnected", default: true), logger: context.logger)
        let items = all.filter { platform == nil || $0.connection.platform == platform }
        return try .json(Page(items: items.map(ConnectionRepresentation.init), nextCursor: nil))
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let id = try context.parameters.identifier("connection_id", as: ConnectionID.self)
        return try .json(ConnectionRepresentation(try await center.overview(context.organization.id, id, logger: context.logger)))
    }

    @Sendable func update(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let id = try context.parameters.identifier("connection_id", as: ConnectionID.self)
        let body = try await request.decodeBody(UpdateBody.self, limit: context.bodyLimit)
        let organization = context.organization.id
        let current = try await center.overview(organization, id, logger: context.logger).connection
        let change = ConnectCenter.Change(
            displayName: body.displayName, credentials: try body.credentials?.credentials(for: current.platform),
            apiBaseURL: body.apiBaseURL, authBaseURL: body.authBaseURL)
        _ = try await center.update(
            id, change, organization: organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(ConnectionRepresentation(try await center.overview(organization, id, logger: context.logger)))
    }

    @Sendable func disconnect(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let id = try context.parameters.identifier("connection_id", as: ConnectionID.self)
        let organization = context.organization.id
        _ = try await center.disconnect(id, organization: organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(ConnectionRepresentation(try await center.overview(organization, id, logger: context.logger)))
    }

    @Sendable func verify(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let id = try context.parameters.identifier("connection_id", as: ConnectionID.self)
        let overview = try await center.verify(id, organization: context.organization.id, actor: context.actor, logger: context.logger)
        return try .json(ConnectionRepresentation(overview))
    }

    @Sendable func availableTeams(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let id = try context.parameters.identifier("connection_id", as: ConnectionID.self)
        try request.allowQueryParameters(["cursor"])
        let cursor = try request.query("cursor")
        let page = try await center.availableTeams(id, organization: context.organization.id, cursor: cursor, logger: context.logger)
        return try .json(Page(items: page.teams.map(TeamRepresentation.init), nextCursor: page.next))
    }

    @Sendable func teams(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try request.allowQueryParameters(["selected"])
        let id = try context.parameters.identifier("connection_id", as: ConnectionID.self)
        let teams = try await center.knownTeams(
            id, organization: context.organization.id, selectedOnly: try request.boolean("selected", default: false), logger: context.logger)
        return try .json(Page(items: teams.map(TeamRepresentation.init), nextCursor: nil))
    }

    @Sendable func select(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let id = try context.parameters.identifier("connection_id", as: ConnectionID.self)
        let body = try await request.decodeBody(SelectionBody.self, limit: context.bodyLimit)
        guard !(body.select ?? []).isEmpty || !(body.deselect ?? []).isEmpty else {
            throw DomainError.invalid("select", "required", "Send team ids in 'select' and/or 'deselect'.")
        }
        let teams = try await center.selectTeams(
            id, organization: context.organization.id, select: body.select ?? [], deselect: body.deselect ?? [],
            actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(Page(items: teams.map(TeamRepresentation.init), nextCursor: nil))
    }
}
