import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// Reset, reprompt and remove: each one call that returns at once (202) and finishes in the worker.
struct PersonActionRoutes {
    let userSync: UserSync

    struct RepromptBody: RequestBody {
        static let fields: Set<String> = ["force"]
        let force: Bool?
    }

    struct BulkActionBody: BulkBody {
        static let fields: Set<String> = ["action", "person_ids", "filter", "force"]
        let action: String
        let personIDs: [PersonID]?
        let filter: PeopleFilterBody?
        let force: Bool?

        enum CodingKeys: String, CodingKey { case action, personIDs = "person_ids", filter, force }
    }

    func addRoutes(to org: RouterGroup<TenantRequestContext>) {
        org.post("people/{person_id}/reset", use: reset)
        org.post("people/{person_id}/reprompt", use: reprompt)
        org.delete("people/{person_id}", use: remove)
        org.post("people/actions", use: bulk)
    }

    @Sendable func reset(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try await act(.reset, force: false, context: context)
    }

    @Sendable func remove(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try await act(.remove, force: false, context: context)
    }

    @Sendable func reprompt(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let force: Bool
        if request.headers[.contentLength].flatMap(Int.init) ?? 0 > 0 || request.headers[.transferEncoding] != nil {
            force = try await request.decodeBody(RepromptBody.self, limit: context.bodyLimit).force ?? false
        } else {
            force = false
        }
        return try await act(.reprompt, force: force, context: context)
    }

    private func act(_ action: UserSync.Action, force: Bool, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let person = try context.parameters.identifier("person_id", as: PersonID.self)
        let requested = try await userSync.request(
            action, person: person, force: force, organization: context.organization.id, actor: context.actor,
            requestID: context.requestID, logger: context.logger)
        return try .json(
            ActionRepresentation(
                action: action.rawValue, personId: person, jobId: requested.jobID.map(String.init),
                nextPromptAllowedAt: requested.nextPromptAllowedAt),
            status: .accepted)
    }

    @Sendable func bulk(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let body = try await request.decodeBody(BulkActionBody.self, limit: context.bodyLimit)
        guard let action = UserSync.Action(rawValue: body.action) else {
            throw DomainError.invalid(
                "action", "invalid_value", "'action' must be one of \(UserSync.Action.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let tally = try await userSync.request(
            action, try body.target(), force: body.force ?? false, organization: context.organization.id, actor: context.actor,
            requestID: context.requestID, logger: context.logger)
        return try .json(TallyRepresentation(counts: tally), status: .accepted)
    }
}
