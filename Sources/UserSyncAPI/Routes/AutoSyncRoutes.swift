import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// `/v1/orgs/{org}/auto-sync/…`: an organization's Auto Sync policies and their runs. Reading takes
/// any key; changing a policy, asking for a run and deciding a held one an admin key.
struct AutoSyncRoutes {
    let policies: AutoSyncPolicies
    let planning: AutoSyncPlanning
    let runs: AutoSyncRuns
    let center: ConnectCenter

    /// A policy's settings: all of them to create one (the optional ones default), any of them
    /// to change one. `group` and `removal_hold` are replaced whole.
    struct PolicyBody: RequestBody {
        static let fields: Set<String> = [
            "name", "group", "primary_connection_id", "secondary_connection_ids", "enabled", "priority", "removes_on_leave",
            "overrides_admin_primary", "removal_hold",
        ]
        let name: String?
        let group: GroupBody?
        let primaryConnectionID: ConnectionID?
        let secondaryConnectionIDs: [ConnectionID]?
        let enabled: Bool?
        let priority: Int?
        let removesOnLeave: Bool?
        let overridesAdminPrimary: Bool?
        let removalHold: HoldBody?

        enum CodingKeys: String, CodingKey {
            case name, group, enabled, priority
            case primaryConnectionID = "primary_connection_id", secondaryConnectionIDs = "secondary_connection_ids"
            case removesOnLeave = "removes_on_leave", overridesAdminPrimary = "overrides_admin_primary", removalHold = "removal_hold"
        }

        struct GroupBody: Decodable {
            let source: String
            let connectionID: ConnectionID?
            let id: String
            let displayName: String?

            enum CodingKeys: String, CodingKey {
                case source, id
                case connectionID = "connection_id", displayName = "display_name"
            }

            func group() throws -> DirectoryGroup {
                guard let source = DirectoryGroup.Source(rawValue: source) else {
                    throw DomainError.invalid("group.source", "invalid_value", "'group.source' must be 'entra' or 'scim'.")
                }
                return DirectoryGroup(source: source, connectionID: connectionID, id: id, displayName: displayName)
            }
        }

        /// A bound left out (or null) is no bound.
        struct HoldBody: Decodable {
            let overCount: Int?
            let overPercent: Int?

            enum CodingKeys: String, CodingKey { case overCount = "over_count", overPercent = "over_percent" }

            var hold: RemovalHold { RemovalHold(overCount: overCount, overPercent: overPercent) }
        }

        /// New settings; every required field missing is named.
        func settings() throws -> AutoSyncPolicy.Settings {
            let missing = [
                ("name", name == nil), ("group", group == nil), ("primary_connection_id", primaryConnectionID == nil),
                ("secondary_connection_ids", secondaryConnectionIDs == nil),
            ].filter(\.1).map { FieldError(field: $0.0, code: "required", message: "'\($0.0)' is required.") }
            guard missing.isEmpty, let name, let group, let primaryConnectionID, let secondaryConnectionIDs else {
                throw DomainError.validation(missing)
            }
            var settings = AutoSyncPolicy.Settings(
                name: name, group: try group.group(), primaryConnectionID: primaryConnectionID, secondaryConnectionIDs: secondaryConnectionIDs)
            try apply(to: &settings)
            return settings
        }

        /// `settings` with every field this body sets.
        func apply(to settings: inout AutoSyncPolicy.Settings) throws {
            if let name { settings.name = name }
            if let group { settings.group = try group.group() }
            if let primaryConnectionID { settings.primaryConnectionID = primaryConnectionID }
            if let secondaryConnectionIDs { settings.secondaryConnectionIDs = secondaryConnectionIDs }
            if let enabled { settings.enabled = enabled }
            if let priority { settings.priority = priority }
            if let removesOnLeave { settings.removesOnLeave = removesOnLeave }
            if let overridesAdminPrimary { settings.overridesAdminPrimary = overridesAdminPrimary }
            if let removalHold { settings.removalHold = removalHold.hold }
        }
    }

    func addRoutes(to org: RouterGroup<TenantRequestContext>) {
        org.get("auto-sync/policies", use: list)
        org.post("auto-sync/policies", use: create)
        org.get("auto-sync/policies/{policy_id}", use: get)
        org.patch("auto-sync/policies/{policy_id}", use: update)
        org.delete("auto-sync/policies/{policy_id}", use: delete)
        org.post("auto-sync/policies/{policy_id}/preview", use: preview)
        org.get("auto-sync/groups", use: groups)
        org.post("auto-sync/policies/{policy_id}/runs", use: requestRun)
        org.get("auto-sync/runs", use: listRuns)
        org.get("auto-sync/runs/{run_id}", use: getRun)
        org.post("auto-sync/runs/{run_id}/approve", use: approve)
        org.post("auto-sync/runs/{run_id}/reject", use: reject)
    }

    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try request.allowQueryParameters([])
        let listed = try await policies.list(context.organization.id, logger: context.logger)
        return try .json(Page(items: listed.map(AutoSyncPolicyRepresentation.init), nextCursor: nil))
    }

    @Sendable func create(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let settings = try await request.decodeBody(PolicyBody.self, limit: context.bodyLimit).settings()
        let created = try await policies.create(
            settings, organization: context.organization.id, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(AutoSyncPolicyRepresentation(created), status: .created)
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let id = try context.parameters.identifier("policy_id", as: AutoSyncPolicyID.self)
        return try .json(AutoSyncPolicyRepresentation(try await policies.get(id, organization: context.organization.id, logger: context.logger)))
    }

    @Sendable func update(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let id = try context.parameters.identifier("policy_id", as: AutoSyncPolicyID.self)
        let body = try await request.decodeBody(PolicyBody.self, limit: context.bodyLimit)
        let updated = try await policies.update(
            id, organization: context.organization.id, actor: context.actor, requestID: context.requestID, logger: context.logger
        ) { settings in try body.apply(to: &settings) }
        return try .json(AutoSyncPolicyRepresentation(updated))
    }

    @Sendable func delete(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let id = try context.parameters.identifier("policy_id", as: AutoSyncPolicyID.self)
        let deleted = try await policies.delete(
            id, organization: context.organization.id, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(AutoSyncPolicyRepresentation(deleted))
    }

    /// What a run of the policy would change now, with nothing changed.
    @Sendable func preview(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try request.allowQueryParameters(["limit"])
        let limit = try request.integer("limit", default: 100, range: 0...1_000)
        let id = try context.parameters.identifier("policy_id", as: AutoSyncPolicyID.self)
        let preview = try await planning.preview(id, organization: context.organization.id, logger: context.logger)
        return try .json(AutoSyncPlanRepresentation(preview, limit: limit))
    }

    /// The directory groups to pick from, live through a Teams connection (Entra groups).
    @Sendable func groups(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try request.allowQueryParameters(["connection_id", "q", "cursor"])
        guard let raw = try request.query("connection_id"), let connection = ConnectionID(String(raw)) else {
            throw APIError.badRequest(
                "invalid_query_parameter", "'connection_id' is required: the id of the Teams connection to read Entra groups through.")
        }
        let prefix = try request.query("q").map { String($0).trimmingCharacters(in: .whitespaces) }
        if let prefix, prefix.count > 256 { throw APIError.badRequest("invalid_query_parameter", "'q' must be at most 256 characters.") }
        let cursor = try request.query("cursor")
        let page = try await center.directoryGroups(
            connection, organization: context.organization.id, startingWith: prefix, cursor: cursor, logger: context.logger)
        return try .json(Page(items: page.groups.map(DirectoryGroupRepresentation.init), nextCursor: page.next))
    }
}
