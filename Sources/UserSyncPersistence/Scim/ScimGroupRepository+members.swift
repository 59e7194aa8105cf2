import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

extension ScimGroupRepository {
    /// What a membership statement did: how many memberships it added or removed, and the
    /// member ids that name no SCIM user of the organization (then the caller refuses the
    /// request, and the transaction takes back what the statement did).
    public struct MembershipChange: Sendable, Equatable {
        public var changed: Int
        public var unknownUsers: [String]
        /// When the statement also asked for runs of the group's policies (it changed someone):
        /// those of them that had no run request waiting, which need a job. Nil when it did not ask.
        public var freshRuns: [AutoSyncPolicyID]?
    }

    /// A membership statement's tail: when anyone joined or left (`changed`), asks for runs of
    /// the policies `$4` in the same round trip, and returns those that had no request waiting
    /// (like ``AutoSyncRunRepository/requestRuns(_:_:on:logger:)``).
    static let requestRunsTail = """
        , marked AS (
            UPDATE auto_sync_policies p SET run_requested_at = clock_timestamp()
            FROM (SELECT id, run_requested_at > coalesce(run_done_through, '-infinity') AS waiting FROM auto_sync_policies
                  WHERE org_id = $1 AND id = ANY($4::uuid[])) b
            WHERE p.org_id = $1 AND p.id = b.id AND EXISTS (SELECT 1 FROM changed)
            RETURNING p.id, coalesce(b.waiting, false) AS waiting
        )
        """

    /// Adds these users; members already in stay as they are; when anyone joined, asks for runs
    /// of `policies` in the same statement. Call after ``lock(_:id:displayName:externalId:on:logger:)``.
    ///
    /// The users are key-share locked until the transaction ends, so that a concurrent deletion
    /// of one of them either waits and then removes the new membership with the user, or went
    /// first and the user is unknown here: never a membership of a deleted user.
    public func addMembers(
        _ organization: OrganizationID, group: String, users: [String], requestingRunsOf policies: [AutoSyncPolicyID],
        on db: PostgresConnection, logger: Logger
    ) async throws -> MembershipChange {
        try await Self.change(
            db.execute(AddMembersStatement(organization: organization.rawValue, group: group, users: users, policies: policies.map(\.rawValue)), logger: logger))
    }

    /// Removes these users (ids that are not members are ignored, as Entra retries whole
    /// requests); when anyone left, asks for runs of `policies` in the same statement.
    public func removeMembers(
        _ organization: OrganizationID, group: String, users: [String], requestingRunsOf policies: [AutoSyncPolicyID],
        on db: PostgresConnection, logger: Logger
    ) async throws -> MembershipChange {
        try await Self.change(
            db.execute(RemoveMembersStatement(organization: organization.rawValue, group: group, users: users, policies: policies.map(\.rawValue)), logger: logger))
    }

    /// Makes the membership exactly these users.
    public func replaceMembers(
        _ organization: OrganizationID, group: String, users: [String], on db: PostgresConnection, logger: Logger
    ) async throws -> MembershipChange {
        let org = organization.rawValue
        return try await Self.change(db.query(
            """
            WITH wanted AS (SELECT DISTINCT unnest(\(users)::text[]) AS id),
            known AS (
                SELECT external_id FROM directory_users
                WHERE org_id = \(org) AND source = 'scim' AND external_id IN (SELECT id FROM wanted)
                FOR KEY SHARE
            ), gone AS (
                DELETE FROM directory_group_members
                WHERE org_id = \(org) AND source = 'scim' AND group_id = \(group) AND external_user_id NOT IN (SELECT external_id FROM known)
                RETURNING 1
            ), added AS (
                INSERT INTO directory_group_members (org_id, source, group_id, external_user_id)
                SELECT \(org), 'scim', \(group), external_id FROM known
                ON CONFLICT DO NOTHING
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM added),
                   ARRAY(SELECT id FROM wanted WHERE id NOT IN (SELECT external_id FROM known) ORDER BY id)
            """, logger: logger))
    }

    /// The members of these groups, in the order they joined, with a name to display.
    public func members(
        _ organization: OrganizationID, of groups: [String], on db: PostgresConnection, logger: Logger
    ) async throws -> [String: [ScimGroupRecord.Member]] {
        guard !groups.isEmpty else { return [:] }
        let rows = try await db.query(
            """
            SELECT m.group_id, m.external_user_id, coalesce(u.display_name, u.user_name)
            FROM directory_group_members m
            LEFT JOIN directory_users u ON u.org_id = m.org_id AND u.source = m.source AND u.external_id = m.external_user_id
            WHERE m.org_id = \(organization.rawValue) AND m.source = 'scim' AND m.group_id = ANY(\(groups)::text[])
            ORDER BY m.group_id, m.added_at, m.external_user_id
            """, logger: logger)
        var members: [String: [ScimGroupRecord.Member]] = [:]
        // Cell by cell: the variadic decode looks up type metadata for every cell of a large group.
        for try await row in rows {
            let cells = row.makeRandomAccess()
            members[try cells[0].decode(String.self), default: []].append(
                .init(id: try cells[1].decode(String.self), display: try cells[2].decode(String?.self)))
        }
        return members
    }

    /// Named statements: Entra sends one PATCH per membership change (``HotStatement``).
    struct AddMembersStatement: HotStatement {
        static let sql = """
            WITH wanted AS (SELECT DISTINCT unnest($3::text[]) AS id),
            known AS (
                SELECT external_id FROM directory_users
                WHERE org_id = $1 AND source = 'scim' AND external_id IN (SELECT id FROM wanted)
                FOR KEY SHARE
            ), changed AS (
                INSERT INTO directory_group_members (org_id, source, group_id, external_user_id)
                SELECT $1, 'scim', $2, external_id FROM known
                ON CONFLICT DO NOTHING
                RETURNING 1
            )
            """ + requestRunsTail + """
            SELECT (SELECT count(*) FROM changed), ARRAY(SELECT id FROM wanted WHERE id NOT IN (SELECT external_id FROM known) ORDER BY id),
                   ARRAY(SELECT id FROM marked WHERE NOT waiting ORDER BY id), EXISTS (SELECT 1 FROM marked)
            """
        let organization: UUID
        let group: String
        let users: [String]
        let policies: [UUID]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(organization)
            bindings.append(group)
            bindings.append(users)
            bindings.append(policies)
            return bindings
        }
    }

    struct RemoveMembersStatement: HotStatement {
        static let sql = """
            WITH changed AS (
                DELETE FROM directory_group_members
                WHERE org_id = $1 AND source = 'scim' AND group_id = $2 AND external_user_id = ANY($3::text[])
                RETURNING 1
            )
            """ + requestRunsTail + """
            SELECT (SELECT count(*) FROM changed), ARRAY[]::text[], ARRAY(SELECT id FROM marked WHERE NOT waiting ORDER BY id),
                   EXISTS (SELECT 1 FROM marked)
            """
        let organization: UUID
        let group: String
        let users: [String]
        let policies: [UUID]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(organization)
            bindings.append(group)
            bindings.append(users)
            bindings.append(policies)
            return bindings
        }
    }

    private static func change(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> MembershipChange {
        for try await row in rows {
            let cells = row.makeRandomAccess()
            var change = MembershipChange(changed: Int(try cells[0].decode(Int64.self)), unknownUsers: try cells[1].decode([String].self))
            if cells.count > 3, try cells[3].decode(Bool.self) {
                change.freshRuns = try cells[2].decode([UUID].self).map(AutoSyncPolicyID.init)
            }
            return change
        }
        return MembershipChange(changed: 0, unknownUsers: [])
    }
}
