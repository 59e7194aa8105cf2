import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// The Auto Sync page under User Sync: policies, the group picker, last runs with their counts,
/// and held plans with who would be removed and Approve/Reject. Over the use cases the JSON API
/// calls (``AutoSyncPolicies``, ``AutoSyncRuns``, ``ConnectCenter``).
struct ConsoleAutoSyncRoutes {
    let policies: AutoSyncPolicies
    let runs: AutoSyncRuns
    let center: ConnectCenter
    let renderer: ConsoleRenderer

    func addRoutes(to console: RouterGroup<ConsoleContext>) {
        console.get("auto-sync", use: page)
        console.post("auto-sync/policies", use: create)
        console.post("auto-sync/policies/{policy_id}/run", use: run)
        console.post("auto-sync/policies/{policy_id}/state", use: setState)
        console.post("auto-sync/policies/{policy_id}/delete", use: delete)
        console.post("auto-sync/runs/{run_id}/approve", use: approve)
        console.post("auto-sync/runs/{run_id}/reject", use: reject)
    }

    private func base(_ context: ConsoleContext) -> String { "/console/\(context.identity.organization.slug.rawValue)/auto-sync" }

    @Sendable func page(_ request: Request, context: ConsoleContext) async throws -> Response {
        let query = ConsoleForm(encoded: request.uri.query ?? "")
        let search = query["q"].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : String($0.prefix(256)) }
        let organization = context.organization, logger = context.logger
        let connections = try await center.list(organization, includeDisconnected: false, logger: logger).map(\.connection)
        let listed = try await policies.list(organization, logger: logger)
        let recent = try await runs.list(organization, policy: nil, state: nil, after: nil, limit: 20, logger: logger)
        var held: [AutoSyncRuns.Detail] = []
        for run in try await runs.list(organization, policy: nil, state: .held, after: nil, limit: 20, logger: logger) {
            held.append(try await runs.get(run.id, limit: 200, organization: organization, logger: logger))
        }
        var groups = try await policies.scimGroups(organization, startingWith: search, logger: logger)
        var pickerProblems: [String] = []
        for teams in connections where teams.platform == .teams && teams.health == .connected {
            do {
                let page = try await center.directoryGroups(teams.id, organization: organization, startingWith: search, cursor: nil, logger: logger)
                groups += page.groups.prefix(50).map {
                    DirectoryGroup(source: .entra, connectionID: teams.id, id: $0.id, displayName: $0.displayName)
                }
            } catch {
                pickerProblems.append("\(teams.displayName): the groups could not be listed just now (\(error)).")
            }
        }
        let body = AutoSyncPage(
            policies: listed, runs: recent, held: held, groups: groups, connections: connections, search: search ?? "",
            pickerProblems: pickerProblems, base: base(context), canWrite: context.identity.canWrite)
        return renderer.page(
            "auto-sync", title: "Auto Sync", identity: context.identity, section: .autoSync, body: body, notice: ConsoleNotice.text(request))
    }

    @Sendable func create(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let form = context.form
        guard let picked = form["group"], let group = AutoSyncPage.group(from: picked) else {
            throw DomainError.invalid("group", "required", "Pick a directory group (search for it by the start of its name).")
        }
        guard let primary = form["primary_connection_id"].flatMap(ConnectionID.init) else {
            throw DomainError.invalid("primary_connection_id", "required", "Choose the platform members live on.")
        }
        var settings = AutoSyncPolicy.Settings(
            name: form["name"].flatMap { $0.isEmpty ? nil : $0 } ?? group.displayName ?? group.id, group: group, primaryConnectionID: primary,
            secondaryConnectionIDs: form.all("onto").compactMap(ConnectionID.init))
        if let priority = form["priority"].flatMap({ Int($0) }) { settings.priority = priority }
        settings.removesOnLeave = form["removes_on_leave"] == "on"
        settings.overridesAdminPrimary = form["overrides_admin_primary"] == "on"
        settings.removalHold = RemovalHold(
            overCount: form["hold_over_count"].flatMap { Int($0) }, overPercent: form["hold_over_percent"].flatMap { Int($0) })
        _ = try await policies.create(
            settings, organization: context.organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
        throw ConsoleRedirect.to("\(base(context))?notice=policy_created")
    }

    @Sendable func run(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        _ = try await runs.request(
            try policyID(context), organization: context.organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
        throw ConsoleRedirect.to("\(base(context))?notice=run_queued")
    }

    @Sendable func setState(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let enabled = context.form["enabled"] == "true"
        _ = try await policies.update(
            try policyID(context), organization: context.organization, actor: context.actor, requestID: context.requestID, logger: context.logger
        ) { $0.enabled = enabled }
        throw ConsoleRedirect.to("\(base(context))?notice=updated")
    }

    @Sendable func delete(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        _ = try await policies.delete(
            try policyID(context), organization: context.organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
        throw ConsoleRedirect.to("\(base(context))?notice=policy_deleted")
    }

    @Sendable func approve(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await decide(.approve, context)
    }

    @Sendable func reject(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await decide(.reject, context)
    }

    private func decide(_ decision: AutoSyncRun.Decision, _ context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        guard let id = context.parameters.get("run_id").flatMap(AutoSyncRunID.init) else { throw DomainError.notFound(resource: "auto_sync_run") }
        _ = try await runs.decide(
            id, decision, organization: context.organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
        throw ConsoleRedirect.to("\(base(context))?notice=run_\(decision == .approve ? "approved" : "rejected")")
    }

    private func policyID(_ context: ConsoleContext) throws -> AutoSyncPolicyID {
        guard let id = context.parameters.get("policy_id").flatMap(AutoSyncPolicyID.init) else {
            throw DomainError.notFound(resource: "auto_sync_policy")
        }
        return id
    }
}
