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

    /// Drops these users (bots the user listing skipped) from the run's staged team members, so
    /// that finishing the run does not take them for members the listing missed; returns how many
    /// of them were members of a selected team.
    public func unstageMembers(_ userIDs: [String], target: Target, on db: PostgresConnection, logger: Logger) async throws -> Int {
        guard !userIDs.isEmpty else { return 0 }
        let rows = try await db.query(
            """
            WITH gone AS (
                DELETE FROM import_team_members
                WHERE org_id = \(target.organization.rawValue) AND run_id = \(target.run.rawValue) AND platform_user_id = ANY(\(userIDs)::text[])
                RETURNING platform_user_id
            )
            SELECT count(DISTINCT platform_user_id)::int8 FROM gone
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Stages members of the run's selected teams (Teams, Webex), of any number of teams at once.
    public func stageMembers(_ members: [StagedMember], target: Target, on db: PostgresConnection, logger: Logger) async throws {
        guard !members.isEmpty else { return }
        try await db.query(
            """
            INSERT INTO import_team_members (org_id, run_id, team_id, platform_user_id, email, display_name)
            SELECT \(target.organization.rawValue), \(target.run.rawValue), m.team, m.id, nullif(m.email, ''), nullif(m.name, '')
            FROM unnest(\(members.map(\.team.rawValue))::uuid[], \(members.map(\.platformUserID))::text[],
                        \(members.map { $0.email ?? "" })::text[], \(members.map { $0.displayName ?? "" })::text[])
                AS m(team, id, email, name)
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// A member of a selected team as listed.
    public struct StagedMember: Sendable {
        public var team: TeamID
        public var platformUserID: String
        public var email: String?
        public var displayName: String?

        public init(team: TeamID, platformUserID: String, email: String?, displayName: String?) {
            self.team = team
            self.platformUserID = platformUserID
            self.email = email
            self.displayName = displayName
        }
    }

    /// Writes one page of users. With `onlyStagedMembers`, users who are not members of the run's
    /// selected teams are left out. Every user kept is recorded as seen by the run; only users that
    /// are new or whose data changed are written, with a new `updated_at` and this run's change
    /// marker — an unchanged page writes no account at all. The page (and the `skippedBots` it
    /// held) is added to the run's live counts in the same statement.
    @discardableResult
    public func upsert(
        _ rows: [Row], skippedBots: Int, onlyStagedMembers: Bool, target: Target, on db: PostgresConnection, logger: Logger
    ) async throws -> PageResult {
        let org = target.organization.rawValue, run = target.run.rawValue, connection = target.connection.rawValue
        let result = try await db.query(
            """
            WITH listed AS (
                SELECT t.platform_user_id, (string_to_array(nullif(t.emails, ''), E'\\n'))[1] AS email,
                       coalesce(string_to_array(nullif(t.emails, ''), E'\\n'), '{}') AS emails,
                       nullif(t.display_name, '') AS display_name, nullif(t.real_name, '') AS real_name, t.active, t.guest
                FROM unnest(\(rows.map(\.platformUserID))::text[], \(rows.map { $0.emails.joined(separator: "\n") })::text[],
                            \(rows.map { $0.displayName ?? "" })::text[], \(rows.map { $0.realName ?? "" })::text[],
                            \(rows.map(\.isActive))::boolean[], \(rows.map(\.isGuest))::boolean[])
                    AS t(platform_user_id, emails, display_name, real_name, active, guest)
                -- A probe of the staged members per user (a lateral join with a limit cannot be
                -- turned into hashing every staged member of the run, once per page).
                LEFT JOIN LATERAL (
                    SELECT true AS staged FROM import_team_members m
                    WHERE m.org_id = \(org) AND m.run_id = \(run) AND m.platform_user_id = t.platform_user_id
                    LIMIT 1) m ON \(onlyStagedMembers)
                WHERE NOT \(onlyStagedMembers) OR m.staged
            ), seen AS (
                INSERT INTO import_seen_accounts (org_id, run_id, platform_user_id)
                SELECT \(org), \(run), platform_user_id FROM listed
                ON CONFLICT DO NOTHING
            ), changed AS (
                -- One index lookup per listed user, whatever the table's statistics say (a join here
                -- is planned to read the whole connection once it is big, or per row while the
                -- statistics still call the table empty).
                SELECT l.*, a.id AS existing, nullif(lower(btrim(l.email)), '') AS normalized FROM listed l
                LEFT JOIN LATERAL (
                    SELECT * FROM platform_accounts a
                    WHERE a.org_id = \(org) AND a.connection_id = \(connection) AND a.platform_user_id = l.platform_user_id
                    LIMIT 1) a ON true
                WHERE a.id IS NULL
                   OR (a.email, a.emails, a.display_name, a.real_name, a.is_guest, a.active)
                      IS DISTINCT FROM (l.email, l.emails, l.display_name, l.real_name, l.guest, l.active)
            ), new_people AS (
                -- A new account joins the person of its address at once, creating the person if
                -- needed; changed addresses are left to the matcher, which keeps people's identities.
                INSERT INTO people (org_id, id, email_normalized, display_name)
                SELECT DISTINCT ON (c.normalized) \(org), gen_random_uuid(), c.normalized, coalesce(c.display_name, c.real_name)
                FROM changed c
                WHERE c.existing IS NULL AND c.normalized IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM people p WHERE p.org_id = \(org) AND p.email_normalized = c.normalized)
                ORDER BY c.normalized
                ON CONFLICT (org_id, email_normalized) DO NOTHING
                RETURNING id, email_normalized
            ), written AS (
                INSERT INTO platform_accounts AS a (org_id, id, connection_id, platform_user_id, email, emails, display_name,
                    real_name, is_guest, active, deactivated_at, deactivation_reason, first_seen_at, updated_at,
                    import_change_run_id, import_change, person_id)
                SELECT \(org), gen_random_uuid(), \(connection), c.platform_user_id, c.email, c.emails, c.display_name, c.real_name,
                       c.guest, c.active, CASE WHEN c.active THEN NULL ELSE now() END,
                       CASE WHEN c.active THEN NULL ELSE 'deactivated_upstream' END, now(), now(), \(run), 'added',
                       CASE WHEN c.existing IS NULL THEN coalesce(n.id, (
                           SELECT p.id FROM people p WHERE p.org_id = \(org) AND p.email_normalized = c.normalized)) END
                FROM changed c LEFT JOIN new_people n ON n.email_normalized = c.normalized
                ON CONFLICT (org_id, connection_id, platform_user_id) DO UPDATE SET
                    email = EXCLUDED.email, emails = EXCLUDED.emails, display_name = EXCLUDED.display_name,
                    real_name = EXCLUDED.real_name, is_guest = EXCLUDED.is_guest, active = EXCLUDED.active,
                    deactivated_at = CASE WHEN EXCLUDED.active THEN NULL WHEN a.active THEN now() ELSE a.deactivated_at END,
                    deactivation_reason = CASE WHEN EXCLUDED.active THEN NULL ELSE 'deactivated_upstream' END,
                    updated_at = now(), import_change_run_id = EXCLUDED.import_change_run_id,
                    import_change = CASE
                        WHEN a.import_change_run_id = EXCLUDED.import_change_run_id AND a.import_change = 'added' THEN 'added'
                        WHEN a.active AND NOT EXCLUDED.active THEN 'deactivated'
                        WHEN NOT a.active AND EXCLUDED.active THEN 'reactivated'
                        ELSE 'updated' END
                RETURNING (xmax = 0) AS inserted, import_change
            )
            , tally AS (
                SELECT (SELECT count(*) FROM listed)::integer AS listed,
                       (SELECT count(*) FROM listed WHERE email IS NULL)::integer AS without_email,
                       count(*) FILTER (WHERE inserted)::integer AS added,
                       count(*) FILTER (WHERE NOT inserted AND import_change = 'updated')::integer AS updated,
                       count(*) FILTER (WHERE NOT inserted AND import_change = 'reactivated')::integer AS reactivated,
                       count(*) FILTER (WHERE NOT inserted AND import_change = 'deactivated')::integer AS deactivated
                FROM written
            ), progress AS (
                UPDATE import_runs r SET pages_fetched = pages_fetched + 1, waiting_until = NULL,
                    accounts_seen = accounts_seen + t.listed + \(skippedBots), bots_skipped = bots_skipped + \(skippedBots),
                    accounts_without_email = accounts_without_email + t.without_email, accounts_added = accounts_added + t.added,
                    accounts_updated = accounts_updated + t.updated, accounts_reactivated = accounts_reactivated + t.reactivated,
                    accounts_deactivated = accounts_deactivated + t.deactivated
                FROM tally t
                WHERE r.org_id = \(org) AND r.id = \(run)
            )
            SELECT listed, without_email, added, updated, reactivated, deactivated FROM tally
            """, logger: logger)
        var page = PageResult()
        for try await (written, withoutEmail, added, updated, reactivated, deactivated) in result.decode(
            (Int32, Int32, Int32, Int32, Int32, Int32).self)
        {
            page = PageResult(
                written: Int(written), added: Int(added), updated: Int(updated), reactivated: Int(reactivated),
                deactivated: Int(deactivated), withoutEmail: Int(withoutEmail))
        }
        return page
    }

    /// The end of a run, in the caller's transaction: staged members the user listing did not
    /// show are written from what their membership said; active accounts the run did not see are
    /// marked deactivated (never deleted); team memberships are rebuilt from the staged members;
    /// and the run's exact changes are counted.
    public func finish(
        _ target: Target, scopedToTeams: Bool, on db: PostgresConnection, logger: Logger
    ) async throws -> ImportRun.Counts {
        let org = target.organization.rawValue, run = target.run.rawValue, connection = target.connection.rawValue
        try await Self.planForBulk(on: db, logger: logger)
        if scopedToTeams {
            // Members the directory listing did not return (e.g. external members) still count.
            try await db.query(
                """
                WITH missing AS (
                    SELECT DISTINCT ON (m.platform_user_id) m.platform_user_id, m.email, m.display_name
                    FROM import_team_members m
                    WHERE m.org_id = \(org) AND m.run_id = \(run)
                      AND NOT EXISTS (SELECT 1 FROM import_seen_accounts s
                                      WHERE s.org_id = \(org) AND s.run_id = \(run) AND s.platform_user_id = m.platform_user_id)
                    ORDER BY m.platform_user_id, m.email NULLS LAST
                ), seen AS (
                    INSERT INTO import_seen_accounts (org_id, run_id, platform_user_id)
                    SELECT \(org), \(run), platform_user_id FROM missing
                )
                INSERT INTO platform_accounts AS a (org_id, id, connection_id, platform_user_id, email, emails, display_name,
                    import_change_run_id, import_change)
                SELECT \(org), gen_random_uuid(), \(connection), platform_user_id, email,
                       CASE WHEN email IS NULL THEN '{}'::text[] ELSE ARRAY[email] END, display_name, \(run), 'added'
                FROM missing
                ON CONFLICT (org_id, connection_id, platform_user_id) DO UPDATE SET
                    active = true, deactivated_at = NULL, deactivation_reason = NULL, updated_at = now(),
                    email = coalesce(EXCLUDED.email, a.email), import_change_run_id = EXCLUDED.import_change_run_id,
                    import_change = 'reactivated'
                WHERE NOT a.active
                """, logger: logger)
        }
        try await db.query(
            """
            UPDATE platform_accounts a SET active = false, deactivated_at = now(), updated_at = now(),
                deactivation_reason = \(scopedToTeams ? "not_in_selected_teams" : "removed_upstream"),
                import_change_run_id = \(run), import_change = 'deactivated'
            WHERE a.org_id = \(org) AND a.connection_id = \(connection) AND a.active
              AND NOT EXISTS (SELECT 1 FROM import_seen_accounts s
                              WHERE s.org_id = \(org) AND s.run_id = \(run) AND s.platform_user_id = a.platform_user_id)
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
              AND NOT EXISTS (SELECT 1 FROM team_memberships tm WHERE tm.org_id = \(org) AND tm.team_id = m.team_id AND tm.account_id = a.id)
            ON CONFLICT (org_id, team_id, account_id) DO NOTHING
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

    /// These statements join whole tables, among them the staging table the service role cannot
    /// ANALYZE: its statistics lag behind its contents, and the planner then picks nested loops
    /// that scan it once per row. Hash joins are right for every bulk step, so the rest of the
    /// transaction uses them.
    static func planForBulk(on db: PostgresConnection, logger: Logger) async throws {
        try await db.query("SET LOCAL enable_nestloop = off", logger: logger)
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
