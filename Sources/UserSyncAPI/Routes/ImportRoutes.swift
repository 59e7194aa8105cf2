import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// Imports of a connection's users: asked for by admin keys, run by the worker, read by any key.
struct ImportRoutes {
    let center: ConnectCenter

    func addRoutes(to org: RouterGroup<TenantRequestContext>) {
        org.post("connections/{connection_id}/imports", use: request)
        org.get("connections/{connection_id}/imports", use: list)
        org.get("imports/{import_id}", use: get)
    }

    /// 202 with a new run, or 200 with the connection's run that is already queued or running.
    @Sendable func request(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let id = try context.parameters.identifier("connection_id", as: ConnectionID.self)
        let (run, created) = try await center.requestImport(
            id, organization: context.organization.id, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(
            ImportRunRepresentation(run), status: created ? .accepted : .ok,
            headers: [.location: "/v1/orgs/\(context.organization.slug)/imports/\(run.id)"])
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let id = try context.parameters.identifier("connection_id", as: ConnectionID.self)
        try request.allowQueryParameters(["limit", "cursor"])
        let limit = try request.integer("limit", default: 20, range: 1...100)
        var before: ImportRunID?
        if let cursor = try request.cursor() {
            guard let run = ImportRunID(cursor) else { throw APIError.badRequest("invalid_cursor", "'cursor' is not a cursor this API returned.") }
            before = run
        }
        let runs = try await center.importRuns(
            id, organization: context.organization.id, before: before, limit: limit + 1, logger: context.logger)
        let page = Array(runs.prefix(limit))
        let next = runs.count > limit ? page.last.map { Data($0.id.description.utf8).base64URL } : nil
        return try .json(Page(items: page.map(ImportRunRepresentation.init), nextCursor: next))
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let id = try context.parameters.identifier("import_id", as: ImportRunID.self)
        return try .json(ImportRunRepresentation(try await center.importRun(id, organization: context.organization.id, logger: context.logger)))
    }
}
