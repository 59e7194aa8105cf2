-- An import writes accounts, people and memberships, never syncs, so its refresh leaves `syncs`
-- alone. Analyzing them cost the import in proportion to every other organization's syncs
-- (`ANALYZE` samples pages across the whole table), and on a new deployment it recorded an empty
-- table before the first sync existed. A bulk sync of 1,000 or more refreshes `syncs` itself,
-- and autovacuum does between.
CREATE OR REPLACE FUNCTION usersync_refresh_directory_statistics() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    ANALYZE platform_connections;
    ANALYZE platform_accounts (org_id, id, connection_id, platform_user_id, email_normalized, active, is_bot, person_id,
                               import_change_run_id, import_change);
    ANALYZE people (org_id, id, email_normalized, primary_connection_id, primary_source, needs_primary_choice,
                    all_accounts_deactivated, sort_name);
    ANALYZE team_memberships;
END
$$;
