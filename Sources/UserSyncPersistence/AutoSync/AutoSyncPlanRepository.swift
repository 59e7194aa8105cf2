import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// What an Auto Sync plan is made from: directory membership and the state of the people it
/// names. Every method runs on a connection already scoped to `organization`.
public struct AutoSyncPlanRepository: Sendable {
    public init() {}

    /// The members of a directory group, with their users' email and state. An Entra member (a
    /// Graph delta names members by id only) is described by the account the Teams connection's
    /// import holds for that user id. A member described by neither has no email (and so matches
    /// no one until an import or the directory describes them). Nil when the group's membership
    /// was never read. With `emails`, only the members with one of these emails: what a plan
    /// needs of another policy's group (whether the people it plans are in it), which costs the
    /// size of the plan, not of the other group.
    public func members(
        _ organization: OrganizationID, of group: DirectoryGroup, amongEmails emails: [String]? = nil, on db: PostgresConnection,
        logger: Logger
    ) async throws -> [AutoSyncPlanner.Member]? {
        // One statement: the group's row says the membership is known, a row without a member
        // that it is empty. The users with those emails are looked up once, by parameters alone
        // (not by the group's columns), so that they are an array the member index is searched
        // by: correlated with the group's row, they were searched again for every member (550 ms
        // for a 2,000-member group in a benchmark, on every run of another policy).
        let rows = try await db.query(
            """
            SELECT m.external_user_id, coalesce(u.email_normalized, a.email_normalized), coalesce(u.active, a.active, true)
            FROM directory_groups g
            LEFT JOIN directory_group_members m ON m.org_id = g.org_id AND m.source = g.source AND m.group_id = g.group_id
                AND (\(emails)::text[] IS NULL OR m.external_user_id = ANY(ARRAY(
                    SELECT external_id FROM directory_users
                    WHERE org_id = \(organization.rawValue) AND source = \(group.source.rawValue) AND email_normalized = ANY(\(emails)::text[])
                    UNION ALL
                    SELECT platform_user_id FROM platform_accounts
                    WHERE org_id = \(organization.rawValue) AND connection_id = \(group.connectionID?.rawValue)
                      AND email_normalized = ANY(\(emails)::text[]))))
            LEFT JOIN directory_users u ON u.org_id = m.org_id AND u.source = m.source AND u.external_id = m.external_user_id
            LEFT JOIN platform_accounts a
                ON a.org_id = m.org_id AND a.connection_id = \(group.connectionID?.rawValue) AND a.platform_user_id = m.external_user_id
            WHERE g.org_id = \(organization.rawValue) AND g.source = \(group.source.rawValue) AND g.group_id = \(group.id)
            ORDER BY m.external_user_id
            """, logger: logger)
        var members: [AutoSyncPlanner.Member]?
        for try await (id, email, active) in rows.decode((String?, String?, Bool).self) {
            members = members ?? []
            if let id { members?.append(.init(externalID: id, email: email, active: active)) }
        }
        return members
    }

    /// A person as a plan sees them, with what its expectations need beside.
    public struct Person: Sendable {
        public var state: AutoSyncPlanner.PersonState
        public var displayName: String?
        /// Connections the person has any account on, active or not.
        public var accountConnections: Set<ConnectionID>
    }

    /// The people with these (normalized) emails, and everyone with a sync `policy` made.
    public func people(
        _ organization: OrganizationID, emails: [String], keptBy policy: AutoSyncPolicyID, on db: PostgresConnection, logger: Logger
    ) async throws -> [Person] {
        let org = organization.rawValue
        let rows = try await db.query(
            """
            WITH chosen AS (
                SELECT id FROM people WHERE org_id = \(org) AND email_normalized = ANY(\(emails)::text[])
                UNION
                SELECT person_id FROM syncs WHERE org_id = \(org) AND auto_sync_policy_id = \(policy.rawValue)
            )
            SELECT p.id, p.email_normalized, p.display_name, p.primary_connection_id, p.primary_source,
                   coalesce(a.active, '{}'), coalesce(a.any, '{}'),
                   coalesce(s.connections, '{}'), coalesce(s.ids, '{}'), coalesce(s.policies, '{}')
            FROM chosen JOIN people p ON p.org_id = \(org) AND p.id = chosen.id
            LEFT JOIN LATERAL (
                SELECT array_agg(DISTINCT a.connection_id) FILTER (WHERE a.active AND c.health <> 'disconnected') AS active,
                       array_agg(DISTINCT a.connection_id) AS any
                FROM platform_accounts a JOIN platform_connections c ON c.org_id = a.org_id AND c.id = a.connection_id
                WHERE a.org_id = \(org) AND a.person_id = p.id
            ) a ON true
            LEFT JOIN LATERAL (
                SELECT array_agg(connection_id ORDER BY id) AS connections, array_agg(id ORDER BY id) AS ids,
                       array_agg(coalesce(auto_sync_policy_id::text, '') ORDER BY id) AS policies
                FROM syncs WHERE org_id = \(org) AND person_id = p.id
            ) s ON true
            """, logger: logger)
        var people: [Person] = []
        for try await row in rows {
            let r = row.makeRandomAccess()
            var syncs: [ConnectionID: AutoSyncPlanner.ExistingSync] = [:]
            // Three arrays in one order: each sync's connection, id and policy ('' for none).
            for (connection, (id, policy)) in zip(try r[7].decode([UUID].self), zip(try r[8].decode([UUID].self), try r[9].decode([String].self))) {
                syncs[ConnectionID(connection)] = .init(id: SyncID(id), policy: AutoSyncPolicyID(policy))
            }
            people.append(
                Person(
                    state: .init(
                        id: PersonID(try r[0].decode(UUID.self)), email: try r[1].decode(String.self),
                        primary: try r[3].decode(UUID?.self).map(ConnectionID.init),
                        primarySource: try r[4].decode(String?.self).flatMap(PrimaryResolution.Source.init(rawValue:)),
                        activeConnections: Set(try r[5].decode([UUID].self).map(ConnectionID.init)), syncs: syncs),
                    displayName: try r[2].decode(String?.self),
                    accountConnections: Set(try r[6].decode([UUID].self).map(ConnectionID.init))))
        }
        return people
    }

    /// The policies whose group holds an active member with this (normalized) email.
    public func policies(holding email: String, _ organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws -> Set<
        AutoSyncPolicyID
    > {
        let rows = try await db.query(
            """
            SELECT DISTINCT p.id FROM auto_sync_policies p
            JOIN directory_group_members m ON m.org_id = p.org_id AND m.source = p.group_source AND m.group_id = p.directory_group_id
            LEFT JOIN directory_users u ON u.org_id = m.org_id AND u.source = m.source AND u.external_id = m.external_user_id
            LEFT JOIN platform_accounts a
                ON a.org_id = m.org_id AND a.connection_id = p.group_connection_id AND a.platform_user_id = m.external_user_id
            WHERE p.org_id = \(organization.rawValue) AND coalesce(u.email_normalized, a.email_normalized) = \(email)
              AND coalesce(u.active, a.active, true)
            """, logger: logger)
        var ids = Set<AutoSyncPolicyID>()
        for try await id in rows.decode(UUID.self) { ids.insert(AutoSyncPolicyID(id)) }
        return ids
    }
}
