-- The admin console: who may sign in to an organization (members), the one-time links that
-- bring a member in (invitations), and the signed-in browsers (sessions).

-- A member is a platform account (Slack user of a workspace, Entra user of a tenant) allowed into
-- the organization's console with a role. Members come in by invitation, or on their first
-- sign-in as an admin or owner of a workspace or tenant the organization has connected. A revoked
-- member stays listed, and stays out even if they are still a platform admin.
CREATE TABLE console_members (
    org_id             uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id                 uuid NOT NULL,
    role               text NOT NULL CHECK (role IN ('admin', 'viewer')),
    provider           text NOT NULL CHECK (provider IN ('slack', 'microsoft')),
    -- Slack team id or Entra tenant id, and the user id within it (Slack user id, Entra object id).
    tenant             text NOT NULL CHECK (length(tenant) BETWEEN 1 AND 200),
    subject            text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    email              text,
    display_name       text,
    source             text NOT NULL CHECK (source IN ('invitation', 'platform_admin')),
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    last_signed_in_at  timestamptz,
    revoked_at         timestamptz,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, provider, tenant, subject)
);
CREATE TRIGGER console_members_updated_at BEFORE UPDATE ON console_members
    FOR EACH ROW EXECUTE FUNCTION usersync_touch_updated_at();

-- An invitation is a one-time link (`usi_<org>_<secret>`; only its SHA-256 is stored), for a role
-- and optionally for one address: it works once, until it expires or is revoked.
CREATE TABLE console_invitations (
    org_id              uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id                  uuid NOT NULL,
    token_hash          bytea NOT NULL CHECK (length(token_hash) = 32),
    role                text NOT NULL CHECK (role IN ('admin', 'viewer')),
    email               text,
    created_by          text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz NOT NULL,
    accepted_at         timestamptz,
    accepted_member_id  uuid,
    revoked_at          timestamptz,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, token_hash),
    FOREIGN KEY (org_id, accepted_member_id) REFERENCES console_members (org_id, id) ON DELETE SET NULL (accepted_member_id)
);

-- A signed-in browser. The cookie holds a random id; only its SHA-256 is stored. A session ends
-- when it is idle too long, at its absolute expiry, on sign-out, or when its member or API key is
-- revoked. The cookie names no organization, so a session is found by its hash alone, in the
-- `console_session` scope (below) that sees this table and nothing else.
CREATE TABLE console_sessions (
    org_id            uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id_hash           bytea NOT NULL CHECK (length(id_hash) = 32),
    member_id         uuid,
    api_key_id        uuid,
    data              jsonb NOT NULL,
    created_at        timestamptz NOT NULL,
    last_seen_at      timestamptz NOT NULL,
    idle_expires_at   timestamptz NOT NULL,
    expires_at        timestamptz NOT NULL,
    PRIMARY KEY (org_id, id_hash),
    CHECK ((member_id IS NULL) <> (api_key_id IS NULL)),
    FOREIGN KEY (org_id, member_id) REFERENCES console_members (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, api_key_id) REFERENCES api_keys (org_id, id) ON DELETE CASCADE
);
CREATE INDEX console_sessions_by_hash ON console_sessions (id_hash);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

CREATE FUNCTION usersync_console_session_scope() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('usersync.scope', true), '') = 'console_session' $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['console_members', 'console_invitations', 'console_sessions'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (org_id = usersync_current_org()) '
            'WITH CHECK (org_id = usersync_current_org())', t);
    END LOOP;
END
$$;
CREATE POLICY session_lookup ON console_sessions
    USING (usersync_console_session_scope()) WITH CHECK (usersync_console_session_scope());

GRANT SELECT, INSERT, UPDATE, DELETE ON console_members, console_invitations, console_sessions TO usersync_app;

-- Console members act in the audit log and in sync histories as themselves.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_kind_check
    CHECK (actor_kind IN ('admin', 'viewer', 'member', 'system', 'user', 'auto_sync', 'operator'));
ALTER TABLE sync_events DROP CONSTRAINT sync_events_actor_kind_check;
ALTER TABLE sync_events ADD CONSTRAINT sync_events_actor_kind_check
    CHECK (actor_kind IN ('admin', 'member', 'system', 'user', 'auto_sync', 'operator'));
