import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

extension ScimGroupRepository {
    /// What a membership statement did: how many memberships it added or removed, the member ids
    /// that name no SCIM user of the organization (then the caller refuses the request, and the
    /// transaction takes back what the statement did), and, when it changed someone, those of the
    /// group's policies it asked runs of that had no run request waiting (they need a job).
    public struct MembershipChange: Sendable, Equatable {
        public var changed: Int
        public var unknownUsers: [String]
        public var freshRuns: [AutoSyncPolicyID]
    }

    /// Adds these users; members already in stay as they are. Call after ``lock(_:id:displayName:externalId:on:logger:)``.
    ///
    /// The users are key-share locked until the transaction ends, so that a concurrent deletion
    /// of one of them either waits and then removes the new membership with the user, or went
    /// first and the user is unknown here: never a membership of a deleted user.
    public func addMembers(
        _ organization: OrganizationID, group: String, users: [String], requestingRunsOf policies: [AutoSyncPolicyID],
        on db: PostgresConnection, logger: Logger
    ) async throws -> MembershipChange {
        try await Self.change(MembershipStatement<Add>(organization, group, users, policies), on: db, logger: logger)
    }

    /// Removes these users; ids that are not members are ignored, as Entra retries whole requests.
    public func removeMembers(
        _ organization: OrganizationID, group: String, users: [String], requestingRunsOf policies: [AutoSyncPolicyID],
        on db: PostgresConnection, logger: Logger
    ) async throws -> MembershipChange {
        try await Self.change(MembershipStatement<Remove>(organization, group, users, policies), on: db, logger: logger)
    }

    /// Makes the membership exactly these users.
    public func replaceMembers(
        _ organization: OrganizationID, group: String, users: [String], requestingRunsOf policies: [AutoSyncPolicyID],
        on db: PostgresConnection, logger: Logger
    ) async throws -> MembershipChange {
        try await Self.change(MembershipStatement<Replace>(organization, group, users, policies), on: db, logger: logger)
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

    /// How one kind of membership statement changes the group (`$1` organization, `$2` group,
    /// `$3` users): CTEs ending in `changed`, one row per membership added or removed, and
    /// `unknown`, the users that name no SCIM user.
    protocol MembershipChangeSQL { static var changes: String { get } }

    /// The users asked for (`wanted`) and those of them that are SCIM users (`known`), each kept
    /// from being deleted until the statement ends.
    static let wantedAndKnown = """
        WITH wanted AS (SELECT DISTINCT unnest($3::text[]) AS id),
        known AS (
            SELECT external_id FROM directory_users
            WHERE org_id = $1 AND source = 'scim' AND external_id IN (SELECT id FROM wanted)
            FOR KEY SHARE
        )
        """

    enum Add: MembershipChangeSQL {
        static let changes =
            wantedAndKnown + """
                , changed AS (
                    INSERT INTO directory_group_members (org_id, source, group_id, external_user_id)
                    SELECT $1, 'scim', $2, external_id FROM known
                    ON CONFLICT DO NOTHING
                    RETURNING 1
                ), unknown AS (SELECT id FROM wanted WHERE id NOT IN (SELECT external_id FROM known))
                """
    }

    enum Remove: MembershipChangeSQL {
        static let changes = """
            WITH changed AS (
                DELETE FROM directory_group_members
                WHERE org_id = $1 AND source = 'scim' AND group_id = $2 AND external_user_id = ANY($3::text[])
                RETURNING 1
            ), unknown AS (SELECT NULL::text AS id WHERE false)
            """
    }

    enum Replace: MembershipChangeSQL {
        static let changes =
            wantedAndKnown + """
                , gone AS (
                    DELETE FROM directory_group_members
                    WHERE org_id = $1 AND source = 'scim' AND group_id = $2 AND external_user_id NOT IN (SELECT external_id FROM known)
                    RETURNING 1
                ), added AS (
                    INSERT INTO directory_group_members (org_id, source, group_id, external_user_id)
                    SELECT $1, 'scim', $2, external_id FROM known
                    ON CONFLICT DO NOTHING
                    RETURNING 1
                ), changed AS (SELECT 1 FROM gone UNION ALL SELECT 1 FROM added),
                unknown AS (SELECT id FROM wanted WHERE id NOT IN (SELECT external_id FROM known))
                """
    }

    /// A membership change and, when it changed anyone, the run requests of the group's
    /// policies (`$4`) in the same statement: one round trip while the group's row is locked,
    /// which every PATCH of the group waits for. Named (``HotStatement``): Entra sends one PATCH
    /// per membership change.
    struct MembershipStatement<Kind: MembershipChangeSQL>: HotStatement {
        /// The default name (the type's full name) is longer than the 63 bytes PostgreSQL keeps
        /// of a name, so the kinds would collide on the server.
        static var name: String { "scim_group_members_\(Kind.self)" }
        static var sql: String {
            Kind.changes + AutoSyncRunRepository.markingRuns(organization: "$1", policies: "$4") + """
                SELECT (SELECT count(*) FROM changed), ARRAY(SELECT id FROM unknown ORDER BY id),
                       ARRAY(SELECT id FROM marked WHERE NOT waiting ORDER BY id)
                """
        }
        let organization: UUID
        let group: String
        let users: [String]
        let policies: [UUID]

        init(_ organization: OrganizationID, _ group: String, _ users: [String], _ policies: [AutoSyncPolicyID]) {
            self.organization = organization.rawValue
            self.group = group
            self.users = users
            self.policies = policies.map(\.rawValue)
        }

        func makeBindings() -> PostgresBindings { bindings(organization, group, users, policies) }
    }

    private static func change<Kind>(
        _ statement: MembershipStatement<Kind>, on db: PostgresConnection, logger: Logger
    ) async throws -> MembershipChange {
        for try await row in try await db.execute(statement, logger: logger) {
            let cells = row.makeRandomAccess()
            return MembershipChange(
                changed: Int(try cells[0].decode(Int64.self)), unknownUsers: try cells[1].decode([String].self),
                freshRuns: try cells[2].decode([UUID].self).map(AutoSyncPolicyID.init))
        }
        return MembershipChange(changed: 0, unknownUsers: [], freshRuns: [])
    }
}
