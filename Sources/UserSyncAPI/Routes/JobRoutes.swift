import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncJobs
import UserSyncUseCases

/// `/v1/orgs/{org}/jobs`: an organization's own jobs (imports, syncs), read only. Row-level
/// security keeps every other organization's jobs out of the query.
struct JobRoutes {
    let activity: ActivityLog

    func addRoutes(to org: RouterGroup<TenantRequestContext>) {
        org.get("jobs", use: list)
        org.get("jobs/{job_id}", use: show)
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let limit = try request.integer("limit", default: 50, range: 1...200)
        try request.allowQueryParameters(["state", "kind", "limit", "cursor"])
        let state = try request.choice("state", as: JobState.self)
        let kind = try request.query("kind")
        var before: Int64?
        if let cursor = try request.cursor() {
            guard let id = Int64(cursor) else { throw APIError.badRequest("invalid_cursor", "'cursor' is not a cursor this API returned.") }
            before = id
        }
        let (page, last) = try await activity.jobs(
            context.organization.id, kind: kind, state: state, before: before, limit: limit, logger: context.logger)
        let next = last.map { Data(String($0).utf8).base64URL }
        return try .json(Page(items: page.map { JobRepresentation($0) }, nextCursor: next))
    }

    @Sendable func show(_ request: Request, context: TenantRequestContext) async throws -> Response {
        guard let raw = context.parameters.get("job_id"), let id = Int64(raw), id > 0 else {
            throw APIError.badRequest("invalid_path_parameter", "'job_id' must be a positive integer.")
        }
        let job = try await activity.job(id, organization: context.organization.id, logger: context.logger)
        return try .json(JobRepresentation(job))
    }
}
