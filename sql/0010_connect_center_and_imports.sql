-- Connect Center and imports: what an import needs to be streamed, idempotent and crash-safe,
-- and what the people directory needs to be listed quickly.

-- Connections: when their credentials were last proven. Disconnecting erases the sealed
-- credentials (an empty envelope) but keeps the row and its history.
ALTER TABLE platform_connections ADD COLUMN last_verified_at timestamptz;

-- Accounts: every address the platform gives (matching uses the first, `email`), why an account
-- is inactive, and which import run last changed it and how — so a run's counts are exact even
-- when a killed attempt had already written part of it.
ALTER TABLE platform_accounts
    ADD COLUMN emails text[] NOT NULL DEFAULT '{}',
    ADD COLUMN deactivation_reason text
        CHECK (deactivation_reason IN ('deactivated_upstream', 'removed_upstream', 'not_in_selected_teams', 'connection_disconnected')),
    ADD COLUMN import_change_run_id uuid,
    ADD COLUMN import_change text CHECK (import_change IN ('added', 'updated', 'reactivated', 'deactivated')),
    ADD CONSTRAINT platform_accounts_reason_when_inactive CHECK ((deactivation_reason IS NULL) OR NOT active);
CREATE INDEX platform_accounts_change ON platform_accounts (org_id, connection_id, import_change_run_id)
    WHERE import_change_run_id IS NOT NULL;

ALTER TABLE teams ADD COLUMN member_count integer;

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

-- The members of a run's selected teams, staged while they are listed (Teams, Webex), so the
-- user listing that follows keeps only them without holding the organization in memory. Rows go
-- when the run finishes.
CREATE TABLE import_team_members (
    org_id            uuid NOT NULL,
    run_id            uuid NOT NULL,
    team_id           uuid NOT NULL,
    platform_user_id  text NOT NULL,
    email             text,
    display_name      text,
    PRIMARY KEY (org_id, run_id, team_id, platform_user_id),
    FOREIGN KEY (org_id, run_id) REFERENCES import_runs (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id) ON DELETE CASCADE
);
CREATE INDEX import_team_members_user ON import_team_members (org_id, run_id, platform_user_id);

ALTER TABLE import_team_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_team_members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON import_team_members
    USING (org_id = usersync_current_org()) WITH CHECK (org_id = usersync_current_org());
GRANT SELECT, INSERT, UPDATE, DELETE ON import_team_members TO usersync_app;

-- The people directory is listed by name or by email with keyset cursors.
CREATE INDEX people_by_name ON people (org_id, lower(coalesce(display_name, email_normalized)), id);
CREATE INDEX people_by_email ON people (org_id, email_normalized, id);
CREATE INDEX people_deactivated ON people (org_id) WHERE all_accounts_deactivated;
