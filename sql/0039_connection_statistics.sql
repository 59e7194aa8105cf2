-- The refresh after a bulk import analyzes the organization's connections too. Without their
-- statistics (a table of a few rows per organization never reaches autovacuum's threshold of 50
-- changes), the planner believed every organization has one connection, and read a people
-- page's accounts and syncs, and a person's accounts, once per connection: four times over in
-- bench-sync, 2 ms of a page of 50.
CREATE OR REPLACE FUNCTION usersync_refresh_directory_statistics() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    ANALYZE platform_connections;
    ANALYZE platform_accounts;
    ANALYZE people;
    ANALYZE team_memberships;
    ANALYZE syncs;
END
$$;

-- Between imports, autovacuum analyzes the table after any change or two, not after its default
-- 50 (plus a tenth), which a table of a few rows per organization may never see: a new
-- connection, or a small organization that never imports 1,000 people, gets its statistics within
-- autovacuum's next round. Analyzing a table this small costs next to nothing.
ALTER TABLE platform_connections SET (autovacuum_analyze_threshold = 1, autovacuum_analyze_scale_factor = 0.1);
