-- User Sync: the stand-in a virtual sync created, when the prompt of a consent link went out,
-- when a person's own tokens were last proven, and the indexes the sync screens read by.

-- A sync is carried out by the worker in batches: `attempts` counts its tries since it last
-- settled (it gives up after a few), and `worked_by`/`worked_until` claim it for one job at a
-- time, so two jobs never prompt the same person at once.
ALTER TABLE syncs
    ADD COLUMN virtual_kind text CHECK (virtual_kind IN ('guest', 'bot_persona')),
    ADD COLUMN consented_at timestamptz,
    ADD COLUMN user_tokens_checked_at timestamptz,
    ADD COLUMN attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN worked_by bigint,
    ADD COLUMN worked_until timestamptz;
CREATE INDEX syncs_connection ON syncs (org_id, connection_id, status);

-- A consent link works until it is used, superseded or expires; `delivered_at` says its prompt
-- went out (a newer link supersedes the older ones only once its own prompt is delivered, so a
-- prompt that fails to go out leaves the person's working link alone). Its OAuth state has a
-- deadline of its own once the person opens it.
ALTER TABLE consent_tokens
    ADD COLUMN delivered_at timestamptz,
    ADD COLUMN state_expires_at timestamptz;

CREATE INDEX audit_log_target ON audit_log (org_id, target_type, target_id, id);
CREATE INDEX audit_log_actor ON audit_log (org_id, actor_kind, id);

-- After a bulk change (an import that changed many accounts, a bulk sync of thousands), the
-- planner's statistics lag far behind the tables (autovacuum analyzes a minute later at best),
-- and it then plans whole-table or whole-index scans for lookups by key. The service role cannot
-- ANALYZE tables it does not own; these functions, owned by the schema owner and taking no
-- arguments, let it refresh exactly these tables.
CREATE FUNCTION usersync_refresh_directory_statistics() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    ANALYZE platform_accounts;
    ANALYZE people;
    ANALYZE team_memberships;
    ANALYZE syncs;
END
$$;
CREATE FUNCTION usersync_refresh_sync_statistics() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    ANALYZE syncs;
END
$$;
REVOKE ALL ON FUNCTION usersync_refresh_directory_statistics(), usersync_refresh_sync_statistics() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION usersync_refresh_directory_statistics(), usersync_refresh_sync_statistics() TO usersync_app;
