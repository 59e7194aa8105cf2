-- One sync record per (person, secondary connection).
CREATE TABLE syncs (
    org_id               uuid NOT NULL,
    id                   uuid NOT NULL,
    person_id            uuid NOT NULL,
    connection_id        uuid NOT NULL,
    mode                 text CHECK (mode IN ('link', 'virtual')),
    status               text NOT NULL DEFAULT 'not_created'
                         CHECK (status IN ('not_created', 'pending', 'synced', 'failed')),
    cause                text,
    message              text,
    next_retry_at        timestamptz,
    fix_action           text,
    -- Link mode: the person's own account on the secondary platform.
    linked_account_id    uuid,
    -- Virtual mode: the upstream object (guest user id) or persona the service created.
    virtual_identity     text,
    -- The user's OAuth tokens, sealed like connection credentials.
    user_tokens          bytea,
    user_tokens_key_id   text,
    user_token_expires_at timestamptz,
    created_by           text NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, person_id, connection_id),
    CHECK ((user_tokens IS NULL) = (user_tokens_key_id IS NULL)),
    FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, connection_id) REFERENCES platform_connections (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, linked_account_id)
        REFERENCES platform_accounts (org_id, id) ON DELETE SET NULL (linked_account_id)
);
CREATE INDEX syncs_status ON syncs (org_id, status);
CREATE TRIGGER syncs_updated_at BEFORE UPDATE ON syncs
    FOR EACH ROW EXECUTE FUNCTION usersync_touch_updated_at();

-- Every status change of a sync, append-only.
CREATE TABLE sync_events (
    org_id         uuid NOT NULL,
    id             bigint GENERATED ALWAYS AS IDENTITY,
    sync_id        uuid NOT NULL,
    from_status    text,
    to_status      text NOT NULL CHECK (to_status IN ('not_created', 'pending', 'synced', 'failed')),
    cause          text,
    message        text NOT NULL,
    actor_kind     text NOT NULL CHECK (actor_kind IN ('admin', 'system', 'user', 'auto_sync', 'operator')),
    actor_id       text,
    next_retry_at  timestamptz,
    fix_action     text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, sync_id) REFERENCES syncs (org_id, id) ON DELETE CASCADE
);
CREATE INDEX sync_events_sync ON sync_events (org_id, sync_id, id);

-- One-time consent links. The token and the OAuth state derived from it are stored hashed.
CREATE TABLE consent_tokens (
    org_id        uuid NOT NULL,
    token_hash    bytea NOT NULL CHECK (length(token_hash) = 32),
    sync_id       uuid NOT NULL,
    state_hash    bytea UNIQUE CHECK (length(state_hash) = 32),
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz,
    superseded_at timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, token_hash),
    FOREIGN KEY (org_id, sync_id) REFERENCES syncs (org_id, id) ON DELETE CASCADE
);
CREATE INDEX consent_tokens_sync ON consent_tokens (org_id, sync_id);
