import Logging
import PostgresNIO
import UserSyncDomain

extension AccountImportWriter {
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
}
