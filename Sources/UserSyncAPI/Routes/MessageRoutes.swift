import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// `/v1/orgs/{org}/messages…`: the relay's delivery ledger (metadata only), its counts, and the
/// replay of failed or dead messages.
struct MessageRoutes {
    let ledger: RelayLedger

    func addRoutes(to org: RouterGroup<TenantRequestContext>) {
        org.get("messages", use: list)
        org.get("messages/counts", use: counts)
        org.get("messages/{message_id}", use: get)
        org.post("messages/{message_id}/replay", use: replay)
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try request.allowQueryParameters(["state", "person_id", "connection_id", "cursor", "limit"])
        let limit = try request.integer("limit", default: 50, range: 1...200)
        let filter = RelayLedger.Filter(
            state: try request.choice("state", as: RelayState.self), person: try Self.identifier(request, "person_id"),
            connection: try Self.identifier(request, "connection_id"))
        var after: RelayMessageID?
        if let cursor = try request.cursor() {
            guard let id = RelayMessageID(cursor) else { throw APIError.badRequest("invalid_cursor", "'cursor' is not a cursor this API returned.") }
            after = id
        }
        let listed: [RelayMessage]
        do {
            listed = try await ledger.list(context.organization.id, filter: filter, after: after, limit: limit + 1, logger: context.logger)
        } catch DomainError.notFound {
            throw APIError.badRequest("invalid_cursor", "'cursor' is not a cursor this API returned.")
        }
        let page = Array(listed.prefix(limit))
        let next = listed.count > limit ? page.last.map { Data($0.id.description.utf8).base64URL } : nil
        return try .json(Page(items: page.map(RelayMessageRepresentation.init), nextCursor: next))
    }

    @Sendable func counts(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try request.allowQueryParameters(["person_id"])
        let counts = try await ledger.counts(context.organization.id, person: try Self.identifier(request, "person_id"), logger: context.logger)
        return try .json(RelayCountsRepresentation(counts))
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try request.allowQueryParameters([])
        let id = try context.parameters.identifier("message_id", as: RelayMessageID.self)
        return try .json(RelayMessageDetailRepresentation(try await ledger.get(context.organization.id, id, logger: context.logger)))
    }

    @Sendable func replay(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        try request.allowQueryParameters([])
        let id = try context.parameters.identifier("message_id", as: RelayMessageID.self)
        let message = try await ledger.replay(
            context.organization.id, id, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(RelayMessageRepresentation(message), status: .accepted)
    }

    static func identifier<Entity>(_ request: Request, _ name: String) throws -> Identifier<Entity>? {
        guard let raw = try request.query(name) else { return nil }
        guard let id = Identifier<Entity>(String(raw)) else { throw APIError.badRequest("invalid_query_parameter", "'\(name)' must be a UUID.") }
        return id
    }
}
