import Logging
import PostgresNIO
import UserSyncDomain

extension AccountImportWriter {
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
}
