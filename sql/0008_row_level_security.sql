-- Tenant isolation in the database: every tenant table is visible and writable only inside a
-- transaction scoped to its organization. FORCE applies the policies to the table owner too.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'api_keys', 'platform_connections', 'teams', 'people', 'platform_accounts',
        'team_memberships', 'syncs', 'sync_events', 'consent_tokens', 'import_runs', 'jobs',
        'auto_sync_policies', 'directory_group_members', 'auto_sync_runs', 'audit_log'
    ] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (org_id = usersync_current_org()) '
            'WITH CHECK (org_id = usersync_current_org())', t);
    END LOOP;
END
$$;

-- The job queue claims, leases and reaps across organizations in its own statements.
CREATE POLICY queue_access ON jobs USING (usersync_queue_scope()) WITH CHECK (usersync_queue_scope());

GRANT SELECT, INSERT, UPDATE, DELETE ON
    organizations, api_keys, platform_connections, teams, people, platform_accounts,
    team_memberships, syncs, consent_tokens, import_runs, jobs,
    auto_sync_policies, directory_group_members, auto_sync_runs
    TO usersync_app;
GRANT SELECT, INSERT ON sync_events, audit_log TO usersync_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO usersync_app;
