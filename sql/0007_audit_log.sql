-- Append-only: the service may insert and read, never change or delete. Rows go only with
-- their organization.
CREATE TABLE audit_log (
    org_id       uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_kind   text NOT NULL CHECK (actor_kind IN ('admin', 'viewer', 'system', 'user', 'auto_sync', 'operator')),
    actor_id     text,
    action       text NOT NULL,
    target_type  text,
    target_id    text,
    details      jsonb NOT NULL DEFAULT '{}',
    request_id   text,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX audit_log_action ON audit_log (org_id, action, id);

CREATE FUNCTION usersync_audit_log_is_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege'; END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION usersync_audit_log_is_append_only();
