import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// `/v1/orgs/{org}/auto-sync/runs…`: what each run planned and applied, and the held ones'
/// approval.
extension AutoSyncRoutes {
    /// Queues a run of the policy now (it plans from the membership stored when it runs).
    @Sendable func requestRun(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        try request.allowQueryParameters([])
        let id = try context.parameters.identifier("policy_id", as: AutoSyncPolicyID.self)
        let job = try await runs.request(
            id, organization: context.organization.id, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(RunRequested(policyId: id, jobId: job, alreadyQueued: job == nil), status: .accepted)
    }

    struct RunRequested: Encodable {
        let policyId: AutoSyncPolicyID
        @Nullable var jobId: Int64?
        let alreadyQueued: Bool
    }

    @Sendable func listRuns(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try request.allowQueryParameters(["policy_id", "state", "cursor", "limit"])
        let limit = try request.integer("limit", default: 50, range: 1...200)
        let state = try request.choice("state", as: AutoSyncRun.State.self)
        var policy: AutoSyncPolicyID?
        if let raw = try request.query("policy_id") {
            guard let id = AutoSyncPolicyID(String(raw)) else { throw APIError.badRequest("invalid_query_parameter", "'policy_id' must be a UUID.") }
            policy = id
        }
        var after: AutoSyncRunID?
        if let cursor = try request.cursor() {
            guard let id = AutoSyncRunID(cursor) else { throw APIError.badRequest("invalid_cursor", "'cursor' is not a cursor this API returned.") }
            after = id
        }
        let listed: [AutoSyncRun]
        do {
            listed = try await runs.list(
                context.organization.id, policy: policy, state: state, after: after, limit: limit + 1, logger: context.logger)
        } catch DomainError.notFound {
            throw APIError.badRequest("invalid_cursor", "'cursor' is not a cursor this API returned.")
        }
        let page = Array(listed.prefix(limit))
        let next = listed.count > limit ? page.last.map { Data($0.id.description.utf8).base64URL } : nil
        return try .json(Page(items: page.map(AutoSyncRunRepresentation.init), nextCursor: next))
    }

    @Sendable func getRun(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try request.allowQueryParameters(["limit"])
        let limit = try request.integer("limit", default: 100, range: 0...1_000)
        let id = try context.parameters.identifier("run_id", as: AutoSyncRunID.self)
        let detail = try await runs.get(id, limit: limit, organization: context.organization.id, logger: context.logger)
        return try .json(AutoSyncRunDetailRepresentation(detail, limit: limit))
    }

    @Sendable func approve(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try await decide(.approve, request, context: context)
    }

    @Sendable func reject(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try await decide(.reject, request, context: context)
    }

    private func decide(_ decision: AutoSyncRun.Decision, _ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        try request.allowQueryParameters([])
        let id = try context.parameters.identifier("run_id", as: AutoSyncRunID.self)
        let decided = try await runs.decide(
            id, decision, organization: context.organization.id, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(AutoSyncRunRepresentation(decided))
    }
}
