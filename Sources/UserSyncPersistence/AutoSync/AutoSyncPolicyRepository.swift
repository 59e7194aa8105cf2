import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Auto Sync policies. Every method runs on a connection already scoped to `organization`.
public struct AutoSyncPolicyRepository: Sendable {
    public init() {}

    /// The organization's policies in the order they apply: priority, then age.
    public func list(_ organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws -> [AutoSyncPolicy] {
        try await Self.decode(
            db.query(
                "SELECT \(unescaped: Self.columns) FROM auto_sync_policies WHERE org_id = \(organization.rawValue) ORDER BY priority, created_at, id",
                logger: logger))
    }

    public func get(
        _ organization: OrganizationID, _ id: AutoSyncPolicyID, forUpdate: Bool = false, on db: PostgresConnection, logger: Logger
    ) async throws -> AutoSyncPolicy {
        let rows = try await db.query(
            """
            SELECT \(unescaped: Self.columns) FROM auto_sync_policies
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue) \(unescaped: forUpdate ? "FOR UPDATE" : "")
            """, logger: logger)
        guard let policy = try await Self.decode(rows).first else { throw DomainError.notFound(resource: "auto_sync_policy") }
        return policy
    }

    public func insert(_ organization: OrganizationID, _ policy: AutoSyncPolicy, on db: PostgresConnection, logger: Logger) async throws {
        let s = policy.settings
        do {
            try await db.query(
                """
                INSERT INTO auto_sync_policies (org_id, id, name, group_source, group_connection_id, directory_group_id, group_display_name,
                    primary_connection_id, secondary_connection_ids, enabled, priority, removes_on_leave, overrides_admin_primary,
                    hold_over_count, hold_over_percent, created_at, updated_at)
                VALUES (\(organization.rawValue), \(policy.id.rawValue), \(s.name), \(s.group.source.rawValue), \(s.group.connectionID?.rawValue),
                        \(s.group.id), \(s.group.displayName), \(s.primaryConnectionID.rawValue), \(s.secondaryConnectionIDs.map(\.rawValue)),
                        \(s.enabled), \(s.priority), \(s.removesOnLeave), \(s.overridesAdminPrimary), \(s.removalHold.overCount),
                        \(s.removalHold.overPercent), \(policy.createdAt), \(policy.updatedAt))
                """, logger: logger)
        } catch  where PostgresFailure.sqlState(error) == PostgresFailure.uniqueViolation {
            throw Self.groupHasPolicy(s.group)
        }
    }

    public func update(_ organization: OrganizationID, _ policy: AutoSyncPolicy, on db: PostgresConnection, logger: Logger) async throws {
        let s = policy.settings
        do {
            try await db.query(
                """
                UPDATE auto_sync_policies SET name = \(s.name), group_source = \(s.group.source.rawValue),
                    group_connection_id = \(s.group.connectionID?.rawValue), directory_group_id = \(s.group.id),
                    group_display_name = \(s.group.displayName), primary_connection_id = \(s.primaryConnectionID.rawValue),
                    secondary_connection_ids = \(s.secondaryConnectionIDs.map(\.rawValue)), enabled = \(s.enabled), priority = \(s.priority),
                    removes_on_leave = \(s.removesOnLeave), overrides_admin_primary = \(s.overridesAdminPrimary),
                    hold_over_count = \(s.removalHold.overCount), hold_over_percent = \(s.removalHold.overPercent), updated_at = \(policy.updatedAt)
                WHERE org_id = \(organization.rawValue) AND id = \(policy.id.rawValue)
                """, logger: logger)
        } catch  where PostgresFailure.sqlState(error) == PostgresFailure.uniqueViolation {
            throw Self.groupHasPolicy(s.group)
        }
    }

    /// Deletes the policy. The syncs it made stay, as if an admin had started them.
    public func delete(_ organization: OrganizationID, _ id: AutoSyncPolicyID, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            "DELETE FROM auto_sync_policies WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)", logger: logger)
    }

    /// How many syncs each policy keeps.
    public func syncCounts(_ organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws -> [AutoSyncPolicyID: Int] {
        let rows = try await db.query(
            """
            SELECT auto_sync_policy_id, count(*) FROM syncs
            WHERE org_id = \(organization.rawValue) AND auto_sync_policy_id IS NOT NULL GROUP BY 1
            """, logger: logger)
        var counts: [AutoSyncPolicyID: Int] = [:]
        for try await (id, count) in rows.decode((UUID, Int64).self) { counts[AutoSyncPolicyID(id)] = Int(count) }
        return counts
    }

    /// How many syncs one policy keeps.
    public func syncCount(_ organization: OrganizationID, _ id: AutoSyncPolicyID, on db: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await db.query(
            "SELECT count(*) FROM syncs WHERE org_id = \(organization.rawValue) AND auto_sync_policy_id = \(id.rawValue)", logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    static func groupHasPolicy(_ group: DirectoryGroup) -> DomainError {
        .conflict(
            code: "group_has_policy",
            message:
                "The \(group.source == .entra ? "Entra" : "SCIM") group \(group.displayName.map { "\($0) (\(group.id))" } ?? group.id) already has a policy: edit that one."
        )
    }

    static let columns = """
        id, name, group_source, group_connection_id, directory_group_id, group_display_name, primary_connection_id,
        secondary_connection_ids, enabled, priority, removes_on_leave, overrides_admin_primary, hold_over_count, hold_over_percent,
        created_at, updated_at
        """

    static func decode(_ rows: PostgresRowSequence) async throws -> [AutoSyncPolicy] {
        var policies: [AutoSyncPolicy] = []
        for try await row in rows {
            let r = row.makeRandomAccess()
            let source = try r[2].decode(String.self)
            let settings = AutoSyncPolicy.Settings(
                name: try r[1].decode(String.self),
                group: DirectoryGroup(
                    source: DirectoryGroup.Source(rawValue: source) ?? .scim, connectionID: try r[3].decode(UUID?.self).map(ConnectionID.init),
                    id: try r[4].decode(String.self), displayName: try r[5].decode(String?.self)),
                primaryConnectionID: ConnectionID(try r[6].decode(UUID.self)),
                secondaryConnectionIDs: try r[7].decode([UUID].self).map(ConnectionID.init), enabled: try r[8].decode(Bool.self),
                priority: try r[9].decode(Int.self), removesOnLeave: try r[10].decode(Bool.self), overridesAdminPrimary: try r[11].decode(Bool.self),
                removalHold: RemovalHold(overCount: try r[12].decode(Int?.self), overPercent: try r[13].decode(Int?.self)))
            policies.append(
                AutoSyncPolicy(
                    id: AutoSyncPolicyID(try r[0].decode(UUID.self)), settings: settings, createdAt: try r[14].decode(Date.self),
                    updatedAt: try r[15].decode(Date.self)))
        }
        return policies
    }
}
