-- Connect Center and imports: what an import needs to be streamed, idempotent and crash-safe,
-- and what the people directory needs to be listed quickly.

-- Connections: when their credentials were last proven. Disconnecting erases the sealed
-- credentials (an empty envelope) but keeps the row and its history.
ALTER TABLE platform_connections ADD COLUMN last_verified_at timestamptz;

-- Accounts: every address the platform gives (matching uses the first, `email`), why an account
-- is inactive, and which import run last changed it and how — so a run's counts are exact even
-- when a killed attempt had already written part of it. An import writes only the accounts that
-- changed (the runs' staging says which were seen), so there is no per-row "last seen" any more.
ALTER TABLE platform_accounts
    DROP COLUMN last_seen_at,
    DROP COLUMN last_import_run_id,
    ADD COLUMN emails text[] NOT NULL DEFAULT '{}',
    ADD COLUMN deactivation_reason text
        CHECK (deactivation_reason IN ('deactivated_upstream', 'removed_upstream', 'not_in_selected_teams', 'connection_disconnected')),
    ADD COLUMN import_change_run_id uuid,
    ADD COLUMN import_change text CHECK (import_change IN ('added', 'updated', 'reactivated', 'deactivated')),
    ADD CONSTRAINT platform_accounts_reason_when_inactive CHECK ((deactivation_reason IS NULL) OR NOT active);
-- Matching joins whole sets by hash; an index on the address only slowed every import's writes.
DROP INDEX platform_accounts_email;

ALTER TABLE teams ADD COLUMN member_count integer;
ALTER TABLE team_memberships DROP COLUMN last_seen_at;

ALTER TABLE import_runs
    ADD COLUMN job_id bigint,
    ADD COLUMN phase text CHECK (phase IN ('members', 'users', 'finishing')),
    ADD COLUMN attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN teams_total integer NOT NULL DEFAULT 0,
    ADD COLUMN teams_fetched integer NOT NULL DEFAULT 0,
    ADD COLUMN accounts_reactivated integer NOT NULL DEFAULT 0,
    ADD COLUMN accounts_without_email integer NOT NULL DEFAULT 0,
    ADD COLUMN last_error text;
CREATE INDEX import_runs_by_connection ON import_runs (org_id, connection_id, created_at DESC, id);

-- An import run's staging, emptied when the run ends: the members of its selected teams (Teams,
-- Webex), listed before the users so that the user listing keeps only them, and the users the
-- listing returned, so that the end of the run knows who was not seen. Unlogged: a database crash
-- empties them, and the run, restarted, fills them again. No foreign keys: a check per staged row
-- costs more than the rows; deleting an organization empties them explicitly.
CREATE UNLOGGED TABLE import_team_members (
    org_id            uuid NOT NULL,
    run_id            uuid NOT NULL,
    team_id           uuid NOT NULL,
    platform_user_id  text NOT NULL,
    email             text,
    display_name      text,
    -- Led by the user: the user listing looks members up by user id.
    PRIMARY KEY (org_id, run_id, platform_user_id, team_id)
);

CREATE UNLOGGED TABLE import_seen_accounts (
    org_id            uuid NOT NULL,
    run_id            uuid NOT NULL,
    platform_user_id  text NOT NULL,
    PRIMARY KEY (org_id, run_id, platform_user_id)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['import_team_members', 'import_seen_accounts'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (org_id = usersync_current_org()) '
            'WITH CHECK (org_id = usersync_current_org())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO usersync_app', t);
    END LOOP;
END
$$;

-- The people directory is listed by name or by email with keyset cursors.
-- (By email, the unique (org_id, email_normalized) index serves.) Room on each page lets the
-- frequent updates of people's primary and flags stay on their page (HOT updates).
CREATE INDEX people_by_name ON people (org_id, lower(coalesce(display_name, email_normalized)), id);
ALTER TABLE people SET (fillfactor = 80);
