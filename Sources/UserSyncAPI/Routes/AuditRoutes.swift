import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// `/v1/orgs/{org}/audit`: the organization's append-only audit log, newest first.
struct AuditRoutes {
    let activity: ActivityLog

    func addRoutes(to org: RouterGroup<TenantRequestContext>) {
        org.get("audit", use: list)
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try request.allowQueryParameters(["action", "actor_kind", "actor_id", "target_type", "target_id", "since", "until", "limit", "cursor"])
        var filter = AuditQuery()
        filter.limit = try request.integer("limit", default: 50, range: 1...200)
        filter.action = try request.query("action")
        filter.actorKind = try request.query("actor_kind")
        filter.actorID = try request.query("actor_id")
        filter.targetType = try request.query("target_type")
        filter.targetID = try request.query("target_id")
        filter.since = try request.date("since")
        filter.until = try request.date("until")
        if let cursor = try request.cursor() {
            guard let id = Int64(cursor) else { throw APIError.badRequest("invalid_cursor", "'cursor' is not a cursor this API returned.") }
            filter.before = id
        }
        let (page, before) = try await activity.entries(context.organization.id, filter, logger: context.logger)
        let next = before.map { Data(String($0).utf8).base64URL }
        return try .json(Page(items: page.map(AuditEntryRepresentation.init), nextCursor: next))
    }
}
