-- A linked person's own subscription to their DMs, where the relay hears a linked account only
-- that way and the subscription lapses unless renewed (Teams: a Graph subscription to the
-- person's chat messages, made with their token, at most an hour long). One per link sync. Graph
-- echoes the client state, a secret, in every notification; only its SHA-256 is kept.
CREATE TABLE relay_subscriptions (
    org_id             uuid NOT NULL,
    sync_id            uuid NOT NULL,
    connection_id      uuid NOT NULL,
    subscription_id    text NOT NULL,
    client_state_hash  bytea NOT NULL CHECK (length(client_state_hash) = 32),
    expires_at         timestamptz NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    renewed_at         timestamptz,
    PRIMARY KEY (org_id, sync_id),
    UNIQUE (org_id, subscription_id),
    FOREIGN KEY (org_id, sync_id) REFERENCES syncs (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, connection_id) REFERENCES platform_connections (org_id, id) ON DELETE CASCADE
);

ALTER TABLE relay_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE relay_subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON relay_subscriptions
    USING (org_id = usersync_current_org()) WITH CHECK (org_id = usersync_current_org());
GRANT SELECT, INSERT, UPDATE, DELETE ON relay_subscriptions TO usersync_app;
