-- The planner judges every organization alike. With statistics on org_id, a table shared by one
-- big organization and a new one estimates the new one at a row or two (it is not among the most
-- common values), and picks any index that starts with org_id for lookups that a unique index
-- answers exactly: an import into a database that already held another organization read the
-- whole organization once per listed user (docs/scaling.md). Without them, an organization is
-- estimated at a fixed small share of the table, whatever the others hold, and the index with
-- the most matching columns wins. Every tenant table, so plans never depend on who else is there.
-- (Statistics an earlier ANALYZE left are not removed by this; docs/scaling.md says how.)
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
        WHERE n.nspname = 'public' AND c.relkind = 'r'
    LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN org_id SET STATISTICS 0', t);
    END LOOP;
END
$$;
