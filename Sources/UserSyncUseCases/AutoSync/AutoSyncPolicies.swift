import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// An organization's Auto Sync policies: created, edited, switched on and off, deleted. Every
/// change is validated against the organization's connections and written to the audit log.
/// Shared by the HTTP API and the CLI.
public struct AutoSyncPolicies: Sendable {
    let database: Database
    let now: @Sendable () -> Date
    let policies = AutoSyncPolicyRepository()
    let connections = ConnectionRepository()
    let audit = AuditLogRepository()

    public init(database: Database, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.now = now
    }

    /// A policy and how many syncs it keeps.
    public struct Overview: Sendable {
        public var policy: AutoSyncPolicy
        public var syncs: Int
    }

    public func list(_ organization: OrganizationID, logger: Logger) async throws -> [Overview] {
        try await database.withTenant(organization, logger: logger) { db in
            let counts = try await policies.syncCounts(organization, on: db, logger: logger)
            return try await policies.list(organization, on: db, logger: logger).map { Overview(policy: $0, syncs: counts[$0.id] ?? 0) }
        }
    }

    public func get(_ id: AutoSyncPolicyID, organization: OrganizationID, logger: Logger) async throws -> Overview {
        try await database.withTenant(organization, logger: logger) { db in
            try await overview(id, organization: organization, on: db, logger: logger)
        }
    }

    public func create(
        _ settings: AutoSyncPolicy.Settings, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws -> Overview {
        try await database.withTenant(organization, logger: logger) { db in
            let valid = try settings.validated(
                connections: try await connections.list(organization, includeDisconnected: true, on: db, logger: logger))
            let at = now()
            let policy = AutoSyncPolicy(id: .random(), settings: valid, createdAt: at, updatedAt: at)
            try await policies.insert(organization, policy, on: db, logger: logger)
            try await record(
                "auto_sync.policy_created", policy, organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            try await followed(policy, trigger: .policyCreated, organization: organization, on: db, logger: logger)
            return Overview(policy: policy, syncs: 0)
        }
    }

    /// Applies `change` to the policy's settings and stores them if they are still valid; an
    /// error `change` throws stops the update.
    public func update(
        _ id: AutoSyncPolicyID, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger,
        _ change: @Sendable (inout AutoSyncPolicy.Settings) throws -> Void
    ) async throws -> Overview {
        try await database.withTenant(organization, logger: logger) { db in
            var policy = try await policies.get(organization, id, forUpdate: true, on: db, logger: logger)
            var settings = policy.settings
            try change(&settings)
            policy.settings = try settings.validated(
                connections: try await connections.list(organization, includeDisconnected: true, on: db, logger: logger))
            policy.updatedAt = now()
            try await policies.update(organization, policy, on: db, logger: logger)
            try await record(
                "auto_sync.policy_updated", policy, organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            try await followed(policy, trigger: .policyUpdated, organization: organization, on: db, logger: logger)
            return Overview(policy: policy, syncs: try await policies.syncCount(organization, id, on: db, logger: logger))
        }
    }

    /// The policies whose group holds the person with this email, in the order they apply (the
    /// first enabled one governs the person's primary), for the person's page.
    public func holding(email: String, organization: OrganizationID, logger: Logger) async throws -> [AutoSyncPolicy] {
        try await database.withTenant(organization, logger: logger) { db in
            let holding = try await AutoSyncPlanRepository().policies(
                holding: EmailAddress.normalize(email) ?? email, organization, on: db, logger: logger)
            return try await policies.list(organization, on: db, logger: logger).filter { holding.contains($0.id) }
        }
    }

    /// The groups an identity provider pushed over SCIM whose name starts with `prefix`, for the
    /// console's group picker (Entra groups are listed live through ``ConnectCenter``).
    public func scimGroups(_ organization: OrganizationID, startingWith prefix: String?, logger: Logger) async throws -> [DirectoryGroup] {
        try await database.withTenant(organization, logger: logger) { db in
            try await DirectoryMembershipRepository().groups(organization, source: .scim, startingWith: prefix, limit: 50, on: db, logger: logger)
                .map { DirectoryGroup(source: .scim, connectionID: nil, id: $0.id, displayName: $0.displayName) }
        }
    }

    /// After a policy is stored: an Entra group's connection is followed and polled at once (its
    /// group read, and subscribed to), and an enabled policy runs (its plan is applied in the worker).
    private func followed(
        _ policy: AutoSyncPolicy, trigger: AutoSyncRun.Trigger, organization: OrganizationID, on db: PostgresConnection, logger: Logger
    ) async throws {
        if let connection = policy.settings.group.connectionID, policy.settings.group.source == .entra {
            _ = try await AutoSyncPoller.request(connection, organization: organization, on: db, logger: logger)
        }
        if policy.settings.enabled {
            try await AutoSyncRuns.request([policy.id], trigger: trigger, organization: organization, on: db, logger: logger)
        }
    }

    /// Deletes the policy; the syncs it made stay, kept from then on as if an admin had started
    /// them. Returns the policy as it was.
    public func delete(
        _ id: AutoSyncPolicyID, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws -> Overview {
        try await database.withTenant(organization, logger: logger) { db in
            let before = try await overview(id, organization: organization, forUpdate: true, on: db, logger: logger)
            try await policies.delete(organization, id, on: db, logger: logger)
            if let connection = before.policy.settings.group.connectionID, before.policy.settings.group.source == .entra {
                // The poll stops following a group no policy names any more, and ends its subscription.
                _ = try await AutoSyncPoller.request(connection, organization: organization, on: db, logger: logger)
            }
            try await record(
                "auto_sync.policy_deleted", before.policy, organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            return before
        }
    }

    private func overview(
        _ id: AutoSyncPolicyID, organization: OrganizationID, forUpdate: Bool = false, on db: PostgresConnection, logger: Logger
    ) async throws -> Overview {
        let policy = try await policies.get(organization, id, forUpdate: forUpdate, on: db, logger: logger)
        return Overview(policy: policy, syncs: try await policies.syncCount(organization, id, on: db, logger: logger))
    }

    private func record(
        _ action: String, _ policy: AutoSyncPolicy, organization: OrganizationID, actor: AuditActor, requestID: String?,
        on db: PostgresConnection, logger: Logger
    ) async throws {
        let s = policy.settings
        try await audit.append(
            .init(
                action: action, targetType: "auto_sync_policy", targetID: policy.id.description,
                details: [
                    "name": s.name, "group": "\(s.group.source.rawValue):\(s.group.id)", "enabled": String(s.enabled),
                    "primary_connection_id": s.primaryConnectionID.description,
                    "secondary_connection_ids": s.secondaryConnectionIDs.map(\.description).joined(separator: ","),
                ]),
            organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
    }
}
