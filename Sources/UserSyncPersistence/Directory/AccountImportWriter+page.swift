import PostgresNIO

extension AccountImportWriter {
    /// One page of an import (``upsert(_:skippedBots:onlyStagedMembers:target:on:logger:)``), run
    /// on a generic plan: one plan for every organization, made without its value.
    ///
    /// Planned for the organization's value, the page's probes hung on the statistics: an
    /// organization the last `ANALYZE` did not see is estimated at a row or two beside others it
    /// did, and for "one row" the planner took any index that starts with `org_id` — the
    /// accounts' `(org_id, person_id)`, the people's `(org_id, sort_name, id)` — and filtered the
    /// organization's every row for each listed user. Beside ten organizations of 50,000 people
    /// one page of 1,000 read 103 million buffers in 41 s (auto_explain), where it reads about
    /// 10,000; each page cost more as the organization grew, until a refresh of the statistics
    /// caught up. The generic plan estimates `org_id = $7` at an average organization's rows, so
    /// every probe takes the index of its whole key, whatever the statistics say.
    struct PageStatement: HotStatement {
        static let sql = """
            WITH listed AS (
                SELECT t.platform_user_id, (string_to_array(nullif(t.emails, ''), E'\\n'))[1] AS email,
                       coalesce(string_to_array(nullif(t.emails, ''), E'\\n'), '{}') AS emails,
                       nullif(t.display_name, '') AS display_name, nullif(t.real_name, '') AS real_name, t.active, t.guest
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::boolean[])
                    AS t(platform_user_id, emails, display_name, real_name, active, guest)
                -- A probe of the staged members per user (a lateral join with a limit cannot be
                -- turned into hashing every staged member of the run, once per page).
                LEFT JOIN LATERAL (
                    SELECT true AS staged FROM import_team_members m
                    WHERE m.org_id = $7::uuid AND m.run_id = $8::uuid AND m.platform_user_id = t.platform_user_id
                    LIMIT 1) m ON $10::boolean
                WHERE NOT $10::boolean OR m.staged
            ), seen AS (
                INSERT INTO import_seen_accounts (org_id, run_id, platform_user_id)
                SELECT $7::uuid, $8::uuid, platform_user_id FROM listed
                ON CONFLICT DO NOTHING
            ), changed AS (
                -- One index lookup per listed user (a join here is planned to read the whole
                -- connection once it is big).
                SELECT l.*, a.id AS existing, nullif(lower(btrim(l.email)), '') AS normalized FROM listed l
                LEFT JOIN LATERAL (
                    SELECT * FROM platform_accounts a
                    WHERE a.org_id = $7::uuid AND a.connection_id = $9::uuid AND a.platform_user_id = l.platform_user_id
                    LIMIT 1) a ON true
                WHERE a.id IS NULL
                   OR (a.email, a.emails, a.display_name, a.real_name, a.is_guest, a.active)
                      IS DISTINCT FROM (l.email, l.emails, l.display_name, l.real_name, l.guest, l.active)
            ), new_people AS (
                -- A new account joins the person of its address at once, creating the person if
                -- needed (a probe per address, not an anti-join over the organization's people);
                -- changed addresses are left to the matcher, which keeps people's identities.
                INSERT INTO people (org_id, id, email_normalized, display_name)
                SELECT DISTINCT ON (c.normalized) $7::uuid, gen_random_uuid(), c.normalized, coalesce(c.display_name, c.real_name)
                FROM changed c
                LEFT JOIN LATERAL (
                    SELECT p.id FROM people p WHERE p.org_id = $7::uuid AND p.email_normalized = c.normalized LIMIT 1) known ON true
                WHERE c.existing IS NULL AND c.normalized IS NOT NULL AND known.id IS NULL
                ORDER BY c.normalized
                ON CONFLICT (org_id, email_normalized) DO NOTHING
                RETURNING id, email_normalized
            ), written AS (
                INSERT INTO platform_accounts AS a (org_id, id, connection_id, platform_user_id, email, emails, display_name,
                    real_name, is_guest, active, deactivated_at, deactivation_reason, first_seen_at, updated_at,
                    import_change_run_id, import_change, person_id)
                SELECT $7::uuid, gen_random_uuid(), $9::uuid, c.platform_user_id, c.email, c.emails, c.display_name, c.real_name,
                       c.guest, c.active, CASE WHEN c.active THEN NULL ELSE now() END,
                       CASE WHEN c.active THEN NULL ELSE 'deactivated_upstream' END, now(), now(), $8::uuid, 'added',
                       CASE WHEN c.existing IS NULL THEN coalesce(n.id, (
                           SELECT p.id FROM people p WHERE p.org_id = $7::uuid AND p.email_normalized = c.normalized)) END
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
            ), tally AS (
                SELECT (SELECT count(*) FROM listed)::integer AS listed,
                       (SELECT count(*) FROM listed WHERE email IS NULL)::integer AS without_email,
                       count(*) FILTER (WHERE inserted)::integer AS added,
                       count(*) FILTER (WHERE NOT inserted AND import_change = 'updated')::integer AS updated,
                       count(*) FILTER (WHERE NOT inserted AND import_change = 'reactivated')::integer AS reactivated,
                       count(*) FILTER (WHERE NOT inserted AND import_change = 'deactivated')::integer AS deactivated
                FROM written
            ), progress AS (
                UPDATE import_runs r SET pages_fetched = pages_fetched + 1, waiting_until = NULL,
                    accounts_seen = accounts_seen + t.listed + $11::integer, bots_skipped = bots_skipped + $11::integer,
                    accounts_without_email = accounts_without_email + t.without_email, accounts_added = accounts_added + t.added,
                    accounts_updated = accounts_updated + t.updated, accounts_reactivated = accounts_reactivated + t.reactivated,
                    accounts_deactivated = accounts_deactivated + t.deactivated
                FROM tally t
                WHERE r.org_id = $7::uuid AND r.id = $8::uuid
            )
            SELECT listed, without_email, added, updated, reactivated, deactivated FROM tally
            """
        let rows: [Row]
        let skippedBots: Int
        let onlyStagedMembers: Bool
        let target: Target

        func makeBindings() -> PostgresBindings {
            bindings(
                rows.map(\.platformUserID), rows.map { $0.emails.joined(separator: "\n") }, rows.map { $0.displayName ?? "" },
                rows.map { $0.realName ?? "" }, rows.map(\.isActive), rows.map(\.isGuest), target.organization.rawValue, target.run.rawValue,
                target.connection.rawValue, onlyStagedMembers, Int32(skippedBots))
        }
    }
}
