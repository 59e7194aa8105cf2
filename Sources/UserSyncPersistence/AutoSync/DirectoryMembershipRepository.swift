import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Directory groups' membership as the directories report it (Graph delta rounds, SCIM
/// requests). Every method runs on a connection already scoped to `organization`.
public struct DirectoryMembershipRepository: Sendable {
    public init() {}

    /// Where the group's Graph delta query stands (nil: not followed yet, or reset).
    public func deltaLink(_ organization: OrganizationID, group: DirectoryGroup, on db: PostgresConnection, logger: Logger) async throws -> String? {
        let rows = try await db.query(
            """
            SELECT delta_link FROM directory_groups
            WHERE org_id = \(organization.rawValue) AND source = \(group.source.rawValue) AND group_id = \(group.id)
            """, logger: logger)
        for try await link in rows.decode(String?.self) { return link }
        return nil
    }

    /// Applies one round of membership changes: `members` joined and `left` left, or, for a full
    /// round, `members` is the whole membership. Stores where the next round starts. Replays
    /// change nothing. Returns how many memberships changed.
    public func apply(
        _ organization: OrganizationID, group: DirectoryGroup, displayName: String?, full: Bool, members: [String], left: [String],
        nextLink: String?, on db: PostgresConnection, logger: Logger
    ) async throws -> Int {
        let org = organization.rawValue
        try await db.query(
            """
            INSERT INTO directory_groups (org_id, source, group_id, display_name, connection_id, delta_link, synced_at)
            VALUES (\(org), \(group.source.rawValue), \(group.id), \(displayName), \(group.connectionID?.rawValue), \(nextLink), now())
            ON CONFLICT (org_id, source, group_id) DO UPDATE SET
                display_name = coalesce(EXCLUDED.display_name, directory_groups.display_name),
                connection_id = EXCLUDED.connection_id, delta_link = EXCLUDED.delta_link, synced_at = now(), updated_at = now()
            """, logger: logger)
        let rows = try await db.query(
            """
            WITH gone AS (
                DELETE FROM directory_group_members
                WHERE org_id = \(org) AND source = \(group.source.rawValue) AND group_id = \(group.id)
                  -- Subqueries rather than = ANY(array): hashed, so a 50,000-member round stays linear.
                  AND (external_user_id IN (SELECT unnest(\(left)::text[]))
                       OR (\(full) AND external_user_id NOT IN (SELECT unnest(\(members)::text[]))))
                RETURNING 1
            ), joined AS (
                INSERT INTO directory_group_members (org_id, source, group_id, external_user_id)
                SELECT \(org), \(group.source.rawValue), \(group.id), unnest(\(members)::text[])
                ON CONFLICT DO NOTHING
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM joined)
            """, logger: logger)
        for try await changed in rows.decode(Int64.self) { return Int(changed) }
        return 0
    }

    /// Groups the directory pushed or UserSync follows, by name, those whose name starts with
    /// `prefix` (any case) when given.
    public func groups(
        _ organization: OrganizationID, source: DirectoryGroup.Source, startingWith prefix: String?, limit: Int, on db: PostgresConnection,
        logger: Logger
    ) async throws -> [(id: String, displayName: String?)] {
        let pattern = prefix.map {
            $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
        }
        let rows = try await db.query(
            """
            SELECT group_id, display_name FROM directory_groups
            WHERE org_id = \(organization.rawValue) AND source = \(source.rawValue)
              AND (\(pattern)::text IS NULL OR display_name ILIKE \(pattern))
            ORDER BY lower(display_name), group_id LIMIT \(limit)
            """, logger: logger)
        var groups: [(String, String?)] = []
        for try await (id, name) in rows.decode((String, String?).self) { groups.append((id, name)) }
        return groups
    }
}
