import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence

/// Computes a policy's plan from the stored directory membership and the organization's people
/// (``AutoSyncPlanner`` decides): what a run would change, previewed with nothing changed.
public struct AutoSyncPlanning: Sendable {
    let database: Database
    let policies = AutoSyncPolicyRepository()
    let plans = AutoSyncPlanRepository()
    let connections = ConnectionRepository()

    public init(database: Database) {
        self.database = database
    }

    /// A plan with what showing it needs: the people it names, the organization's connections
    /// and, for each sync it starts, what starting it will do.
    public struct Preview: Sendable {
        public var policy: AutoSyncPolicy
        public var plan: AutoSyncPlanner.Plan
        public var people: [PersonID: AutoSyncPlanRepository.Person]
        public var connections: [ConnectionID: PlatformConnection]
        /// By position in `plan.starts`.
        public var expectations: [SyncPreview.Expectation]
    }

    public func preview(_ id: AutoSyncPolicyID, organization: OrganizationID, logger: Logger) async throws -> Preview {
        try await database.withTenant(organization, logger: logger) { db in
            guard let preview = try await preview(id, organization: organization, on: db, logger: logger) else {
                throw DomainError.notFound(resource: "auto_sync_policy")
            }
            return preview
        }
    }

    /// The plan of the policy `id` on `db`; nil when there is no such policy.
    func preview(_ id: AutoSyncPolicyID, organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws -> Preview? {
        let all = try await policies.list(organization, on: db, logger: logger)
        guard let policy = all.first(where: { $0.id == id }) else { return nil }
        return try await preview(policy, among: all, organization: organization, on: db, logger: logger)
    }

    /// The plan of `policy`, one of the organization's policies `all`.
    func preview(
        _ policy: AutoSyncPolicy, among all: [AutoSyncPolicy], organization: OrganizationID, on db: PostgresConnection, logger: Logger
    ) async throws -> Preview {
        var members: [AutoSyncPolicyID: [AutoSyncPlanner.Member]] = [:]
        members[policy.id] = try await plans.members(organization, of: policy.settings.group, on: db, logger: logger)
        let emails = Array(Set((members[policy.id] ?? []).compactMap(\.email)))
        let people = try await plans.people(organization, emails: emails, keptBy: policy.id, on: db, logger: logger)
        // Other groups matter only for the people this plan names (which policy governs them).
        let planned = people.map(\.state.email)
        for other in all where other.settings.enabled && other.id != policy.id {
            members[other.id] = try await plans.members(organization, of: other.settings.group, amongEmails: planned, on: db, logger: logger)
        }
        let listed = try await connections.list(organization, includeDisconnected: true, on: db, logger: logger)
        let plan = AutoSyncPlanner.plan(
            policy, policies: all, members: members, people: people.map(\.state),
            connected: Set(listed.filter { $0.health == .connected }.map(\.id)))
        let byID = Dictionary(people.map { ($0.state.id, $0) }) { first, _ in first }
        let connections = Dictionary(listed.map { ($0.id, $0) }) { first, _ in first }
        let plannedPrimary = Dictionary(plan.primaries.map { ($0.person, $0.connection) }) { first, _ in first }
        let expectations = plan.starts.map { start -> SyncPreview.Expectation in
            guard let person = byID[start.person], let secondary = connections[start.connection] else { return .unknownPerson }
            let primary = (plannedPrimary[start.person] ?? person.state.primary).flatMap { connections[$0]?.platform }
            let account: SyncPlan.Account =
                person.state.activeConnections.contains(start.connection)
                ? .active
                : person.accountConnections.contains(start.connection) ? .deactivated : .none
            return SyncPreview.expect(.init(personExists: true, primary: primary, existing: nil, account: account), secondary: secondary.platform)
        }
        return Preview(policy: policy, plan: plan, people: byID, connections: connections, expectations: expectations)
    }
}
