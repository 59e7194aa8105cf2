import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Writes an import run's pages into `platform_accounts` as they arrive: one multi-row upsert per
/// page, never the whole organization in memory. Idempotent: writing the same page twice changes
/// nothing the second time. Every method runs on a connection scoped to the organization.
public struct AccountImportWriter: Sendable {
    public init() {}

    /// One platform user as the import writes it.
    public struct Row: Sendable {
        public var platformUserID: String
        /// Every address, the one people are matched on first.
        public var emails: [String]
        public var displayName: String?
        public var realName: String?
        public var isActive: Bool
        public var isGuest: Bool

        public init(platformUserID: String, emails: [String], displayName: String?, realName: String?, isActive: Bool, isGuest: Bool) {
            self.platformUserID = platformUserID
            self.emails = emails
            self.displayName = displayName
            self.realName = realName
            self.isActive = isActive
            self.isGuest = isGuest
        }
    }

    /// What one page changed.
    public struct PageResult: Sendable, Equatable {
        public var written = 0
        public var added = 0
        public var updated = 0
        public var reactivated = 0
        public var deactivated = 0
        /// Written rows with no address to match a person on.
        public var withoutEmail = 0
    }

    /// Where a run writes: its organization, connection and id.
    public struct Target: Sendable {
        public var organization: OrganizationID
        public var connection: ConnectionID
        public var run: ImportRunID

        public init(organization: OrganizationID, connection: ConnectionID, run: ImportRunID) {
            self.organization = organization
            self.connection = connection
            self.run = run
        }
    }

    /// Stages one page of a selected team's members (Teams, Webex).
    public func stageMembers(
        _ members: [PlatformMemberRow], team: TeamID, target: Target, on db: PostgresConnection, logger: Logger
    ) async throws {
        guard !members.isEmpty else { return }
        try await db.query(
            """
            INSERT INTO import_team_members (org_id, run_id, team_id, platform_user_id, email, display_name)
            SELECT \(target.organization.rawValue), \(target.run.rawValue), \(team.rawValue), m.id, nullif(m.email, ''), nullif(m.name, '')
            FROM unnest(\(members.map(\.platformUserID))::text[], \(members.map { $0.email ?? "" })::text[],
                        \(members.map { $0.displayName ?? "" })::text[]) AS m(id, email, name)
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// A member of a team as listed.
    public struct PlatformMemberRow: Sendable {
        public var platformUserID: String
        public var email: String?
        public var displayName: String?

        public init(platformUserID: String, email: String?, displayName: String?) {
            self.platformUserID = platformUserID
            self.email = email
            self.displayName = displayName
        }
    }

    /// Upserts one page of users. With `onlyStagedMembers`, users who are not members of the run's
    /// selected teams are left out. Only rows whose data changed get a new `updated_at` and this
    /// run's change marker; every written row is marked seen by the run.
    public func upsert(
        _ rows: [Row], onlyStagedMembers: Bool, target: Target, on db: PostgresConnection, logger: Logger
    ) async throws -> PageResult {
        guard !rows.isEmpty else { return PageResult() }
        let result = try await db.query(
            """
            WITH input AS (
                SELECT * FROM unnest(\(rows.map(\.platformUserID))::text[], \(rows.map { $0.emails.joined(separator: "\n") })::text[],
                                     \(rows.map { $0.displayName ?? "" })::text[], \(rows.map { $0.realName ?? "" })::text[],
                                     \(rows.map(\.isActive))::boolean[], \(rows.map(\.isGuest))::boolean[])
                    AS t(platform_user_id, emails, display_name, real_name, active, guest)
                WHERE NOT \(onlyStagedMembers) OR EXISTS (
                    SELECT 1 FROM import_team_members m
                    WHERE m.org_id = \(target.organization.rawValue) AND m.run_id = \(target.run.rawValue)
                      AND m.platform_user_id = t.platform_user_id)
            ), written AS (
                INSERT INTO platform_accounts AS a (org_id, id, connection_id, platform_user_id, email, emails, display_name,
                    real_name, is_guest, active, deactivated_at, deactivation_reason, first_seen_at, last_seen_at, updated_at,
                    last_import_run_id, import_change_run_id, import_change)
                SELECT \(target.organization.rawValue), gen_random_uuid(), \(target.connection.rawValue), i.platform_user_id,
                       (string_to_array(nullif(i.emails, ''), E'\\n'))[1], coalesce(string_to_array(nullif(i.emails, ''), E'\\n'), '{}'),
                       nullif(i.display_name, ''), nullif(i.real_name, ''), i.guest, i.active,
                       CASE WHEN i.active THEN NULL ELSE now() END, CASE WHEN i.active THEN NULL ELSE 'deactivated_upstream' END,
                       now(), now(), now(), \(target.run.rawValue), \(target.run.rawValue), 'added'
                FROM input i
                ON CONFLICT (org_id, connection_id, platform_user_id) DO UPDATE SET
                    email = EXCLUDED.email, emails = EXCLUDED.emails, display_name = EXCLUDED.display_name,
                    real_name = EXCLUDED.real_name, is_guest = EXCLUDED.is_guest, active = EXCLUDED.active,
                    deactivated_at = CASE WHEN EXCLUDED.active THEN NULL WHEN a.active THEN now() ELSE a.deactivated_at END,
                    deactivation_reason = CASE WHEN EXCLUDED.active THEN NULL ELSE 'deactivated_upstream' END,
                    last_seen_at = now(), last_import_run_id = EXCLUDED.last_import_run_id,
                    updated_at = CASE WHEN \(unescaped: Self.changed) THEN now() ELSE a.updated_at END,
                    import_change_run_id = CASE WHEN \(unescaped: Self.changed) THEN EXCLUDED.import_change_run_id
                                                ELSE a.import_change_run_id END,
                    import_change = CASE
                        WHEN NOT \(unescaped: Self.changed) THEN a.import_change
                        WHEN a.import_change_run_id = EXCLUDED.import_change_run_id AND a.import_change = 'added' THEN 'added'
                        WHEN a.active AND NOT EXCLUDED.active THEN 'deactivated'
                        WHEN NOT a.active AND EXCLUDED.active THEN 'reactivated'
                        ELSE 'updated' END
                RETURNING (xmax = 0) AS inserted, updated_at = now() AS changed, active, import_change, email_normalized
            )
            SELECT count(*)::integer,
                   count(*) FILTER (WHERE inserted)::integer,
                   count(*) FILTER (WHERE changed AND NOT inserted AND import_change = 'updated')::integer,
                   count(*) FILTER (WHERE changed AND NOT inserted AND import_change = 'reactivated')::integer,
                   count(*) FILTER (WHERE changed AND NOT inserted AND import_change = 'deactivated')::integer,
                   count(*) FILTER (WHERE email_normalized IS NULL)::integer
            FROM written
            """, logger: logger)
        var page = PageResult()
        for try await (written, added, updated, reactivated, deactivated, withoutEmail) in result.decode(
            (Int32, Int32, Int32, Int32, Int32, Int32).self)
        {
            page = PageResult(
                written: Int(written), added: Int(added), updated: Int(updated), reactivated: Int(reactivated),
                deactivated: Int(deactivated), withoutEmail: Int(withoutEmail))
        }
        return page
    }

    /// Whether an upsert changes an existing row's data (the `ON CONFLICT` branch's view).
    static let changed = """
        ((a.email, a.emails, a.display_name, a.real_name, a.is_guest, a.active)
         IS DISTINCT FROM (EXCLUDED.email, EXCLUDED.emails, EXCLUDED.display_name, EXCLUDED.real_name, EXCLUDED.is_guest, EXCLUDED.active))
        """

    /// The end of a run, in the caller's transaction: staged members the user listing did not
    /// show are written from what their membership said; accounts the run did not see are
    /// marked deactivated (never deleted); team memberships are rebuilt from the staged members;
    /// and the run's exact changes are counted.
    public func finish(
        _ target: Target, scopedToTeams: Bool, on db: PostgresConnection, logger: Logger
    ) async throws -> ImportRun.Counts {
        let org = target.organization.rawValue, run = target.run.rawValue, connection = target.connection.rawValue
        if scopedToTeams {
            // Members the directory listing did not return (e.g. external members) still count.
            try await db.query(
                """
                INSERT INTO platform_accounts (org_id, id, connection_id, platform_user_id, email, emails, display_name,
                    last_import_run_id, import_change_run_id, import_change)
                SELECT DISTINCT ON (m.platform_user_id) \(org), gen_random_uuid(), \(connection), m.platform_user_id, m.email,
                       CASE WHEN m.email IS NULL THEN '{}'::text[] ELSE ARRAY[m.email] END, m.display_name, \(run), \(run), 'added'
                FROM import_team_members m
                WHERE m.org_id = \(org) AND m.run_id = \(run)
                  AND NOT EXISTS (SELECT 1 FROM platform_accounts a
                                  WHERE a.org_id = \(org) AND a.connection_id = \(connection) AND a.platform_user_id = m.platform_user_id
                                    AND a.last_import_run_id = \(run))
                ORDER BY m.platform_user_id, m.email NULLS LAST
                ON CONFLICT (org_id, connection_id, platform_user_id) DO UPDATE SET
                    active = true, deactivated_at = NULL, deactivation_reason = NULL, last_seen_at = now(),
                    last_import_run_id = EXCLUDED.last_import_run_id,
                    email = coalesce(EXCLUDED.email, platform_accounts.email),
                    updated_at = CASE WHEN platform_accounts.active THEN platform_accounts.updated_at ELSE now() END,
                    import_change_run_id = CASE WHEN platform_accounts.active THEN platform_accounts.import_change_run_id
                                                ELSE EXCLUDED.import_change_run_id END,
                    import_change = CASE WHEN platform_accounts.active THEN platform_accounts.import_change ELSE 'reactivated' END
                """, logger: logger)
        }
        try await db.query(
            """
            UPDATE platform_accounts SET active = false, deactivated_at = now(), updated_at = now(),
                deactivation_reason = \(scopedToTeams ? "not_in_selected_teams" : "removed_upstream"),
                import_change_run_id = \(run), import_change = 'deactivated'
            WHERE org_id = \(org) AND connection_id = \(connection) AND active
              AND last_import_run_id IS DISTINCT FROM \(run)
            """, logger: logger)
        try await rebuildMemberships(target, on: db, logger: logger)
        let rows = try await db.query(
            """
            SELECT count(*) FILTER (WHERE import_change = 'added')::integer,
                   count(*) FILTER (WHERE import_change = 'updated')::integer,
                   count(*) FILTER (WHERE import_change = 'reactivated')::integer,
                   count(*) FILTER (WHERE import_change = 'deactivated')::integer
            FROM platform_accounts
            WHERE org_id = \(org) AND connection_id = \(connection) AND import_change_run_id = \(run)
            """, logger: logger)
        var counts = ImportRun.Counts()
        for try await (added, updated, reactivated, deactivated) in rows.decode((Int32, Int32, Int32, Int32).self) {
            counts.accountsAdded = Int(added)
            counts.accountsUpdated = Int(updated)
            counts.accountsReactivated = Int(reactivated)
            counts.accountsDeactivated = Int(deactivated)
        }
        return counts
    }

    /// Memberships of the connection's teams become exactly the staged ones (none for a team that
    /// is no longer selected); teams get their member counts.
    private func rebuildMemberships(_ target: Target, on db: PostgresConnection, logger: Logger) async throws {
        let org = target.organization.rawValue, run = target.run.rawValue, connection = target.connection.rawValue
        try await db.query(
            """
            DELETE FROM team_memberships tm USING teams t
            WHERE tm.org_id = \(org) AND t.org_id = \(org) AND t.id = tm.team_id AND t.connection_id = \(connection)
              AND NOT EXISTS (
                SELECT 1 FROM import_team_members m JOIN platform_accounts a
                  ON a.org_id = m.org_id AND a.connection_id = \(connection) AND a.platform_user_id = m.platform_user_id
                WHERE m.org_id = \(org) AND m.run_id = \(run) AND m.team_id = tm.team_id AND a.id = tm.account_id)
            """, logger: logger)
        try await db.query(
            """
            INSERT INTO team_memberships (org_id, team_id, account_id)
            SELECT \(org), m.team_id, a.id
            FROM import_team_members m JOIN platform_accounts a
              ON a.org_id = m.org_id AND a.connection_id = \(connection) AND a.platform_user_id = m.platform_user_id
            WHERE m.org_id = \(org) AND m.run_id = \(run)
            ON CONFLICT (org_id, team_id, account_id) DO UPDATE SET last_seen_at = now()
            """, logger: logger)
        try await db.query(
            """
            UPDATE teams t SET member_count = counted.members
            FROM (SELECT t2.id, count(m.platform_user_id)::integer AS members
                  FROM teams t2 LEFT JOIN import_team_members m ON m.org_id = t2.org_id AND m.run_id = \(run) AND m.team_id = t2.id
                  WHERE t2.org_id = \(org) AND t2.connection_id = \(connection) AND t2.selected
                  GROUP BY t2.id) counted
            WHERE t.org_id = \(org) AND t.id = counted.id AND t.member_count IS DISTINCT FROM counted.members
            """, logger: logger)
    }

    /// Disconnecting: every active account of the connection is marked inactive, with the reason.
    public func deactivateAll(
        _ organization: OrganizationID, connection: ConnectionID, on db: PostgresConnection, logger: Logger
    ) async throws -> Int {
        let rows = try await db.query(
            """
            UPDATE platform_accounts SET active = false, deactivated_at = now(), updated_at = now(),
                deactivation_reason = 'connection_disconnected'
            WHERE org_id = \(organization.rawValue) AND connection_id = \(connection.rawValue) AND active
            RETURNING id
            """, logger: logger)
        return try await rows.collect().count
    }
}
