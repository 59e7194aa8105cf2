-- The role the service runs as. It owns no table and cannot bypass row-level security; the
-- login role that `usersync serve`/`work` connect with is granted this role (see README,
-- "Database roles"). Creating it needs CREATEROLE; a deployment that pre-creates it skips this.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'usersync_app') THEN
        CREATE ROLE usersync_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO usersync_app;
-- `serve` and `work` read the migration ledger to refuse a database with pending migrations.
GRANT SELECT ON usersync_migrations TO usersync_app;

-- The organization a transaction is scoped to, set per transaction with
-- set_config('usersync.org_id', <uuid>, true). Unset (or reset to '' after a scoped
-- transaction) means no organization: every tenant policy then matches nothing.
CREATE FUNCTION usersync_current_org() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('usersync.org_id', true), '')::uuid $$;

-- Set only by the job queue's own statements, which claim across organizations.
CREATE FUNCTION usersync_queue_scope() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('usersync.scope', true), '') = 'queue' $$;

CREATE FUNCTION usersync_touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
