-- Graph change notifications (issue 12): a subscription per followed Entra group, so that a
-- change of members is polled at once rather than at the next scheduled poll. Graph echoes the
-- client state, a secret, in every notification; only its SHA-256 is kept. The polls' schedule
-- stays the safety net: a lost notification costs at most one poll interval.
CREATE TABLE auto_sync_subscriptions (
    org_id             uuid NOT NULL,
    connection_id      uuid NOT NULL,
    group_id           text NOT NULL,
    subscription_id    text NOT NULL,
    client_state_hash  bytea NOT NULL CHECK (length(client_state_hash) = 32),
    expires_at         timestamptz NOT NULL,
    -- Graph sent `reauthorizationRequired`: the next poll reauthorizes the subscription.
    reauthorize        boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT now(),
    renewed_at         timestamptz,
    PRIMARY KEY (org_id, connection_id, group_id),
    UNIQUE (org_id, subscription_id),
    FOREIGN KEY (org_id, connection_id) REFERENCES platform_connections (org_id, id) ON DELETE CASCADE
);

ALTER TABLE auto_sync_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE auto_sync_subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON auto_sync_subscriptions
    USING (org_id = usersync_current_org()) WITH CHECK (org_id = usersync_current_org());
GRANT SELECT, INSERT, UPDATE, DELETE ON auto_sync_subscriptions TO usersync_app;

-- A poll asked for (policy made or deleted, notification, run asked by hand) while one is running
-- cannot queue a job of its own (the running job holds the dedupe key): the running poll sees
-- this mark move and polls again.
ALTER TABLE auto_sync_polls ADD COLUMN poll_requested_at timestamptz;
