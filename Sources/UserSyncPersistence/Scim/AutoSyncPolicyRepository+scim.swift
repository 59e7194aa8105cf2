import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

extension AutoSyncPolicyRepository {
    /// The enabled policies that follow any of these SCIM groups: the ones a SCIM change to the
    /// groups' membership asks to run. One indexed lookup (the policies' unique
    /// `(org_id, group_source, directory_group_id)`), so a membership PATCH stays cheap.
    public func enabled(
        _ organization: OrganizationID, scimGroups groups: [String], on db: PostgresConnection, logger: Logger
    ) async throws -> [AutoSyncPolicyID] {
        guard !groups.isEmpty else { return [] }
        let rows = try await db.query(
            """
            SELECT id FROM auto_sync_policies
            WHERE org_id = \(organization.rawValue) AND group_source = 'scim' AND directory_group_id = ANY(\(groups)::text[]) AND enabled
            ORDER BY id
            """, logger: logger)
        var policies: [AutoSyncPolicyID] = []
        for try await id in rows.decode(UUID.self) { policies.append(AutoSyncPolicyID(id)) }
        return policies
    }

    /// The enabled policies that follow a SCIM group this user is in: the ones to run when the
    /// user is deactivated, reactivated or changes email.
    public func enabled(
        _ organization: OrganizationID, groupsOfScimUser user: String, on db: PostgresConnection, logger: Logger
    ) async throws -> [AutoSyncPolicyID] {
        let org = organization.rawValue
        let rows = try await db.query(
            """
            SELECT DISTINCT p.id FROM directory_group_members m
            JOIN auto_sync_policies p ON p.org_id = m.org_id AND p.group_source = 'scim' AND p.directory_group_id = m.group_id AND p.enabled
            WHERE m.org_id = \(org) AND m.source = 'scim' AND m.external_user_id = \(user)
            ORDER BY p.id
            """, logger: logger)
        var policies: [AutoSyncPolicyID] = []
        for try await id in rows.decode(UUID.self) { policies.append(AutoSyncPolicyID(id)) }
        return policies
    }
}
