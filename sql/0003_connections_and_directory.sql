-- Connect Center: one row per connected workspace/tenant/account of a platform.
CREATE TABLE platform_connections (
    org_id              uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id                  uuid NOT NULL,
    platform            text NOT NULL CHECK (platform IN ('slack', 'teams', 'zoom', 'webex')),
    display_name        text NOT NULL,
    -- The connected workspace/tenant/account identity returned by the platform.
    workspace_id        text NOT NULL,
    workspace_name      text,
    -- AES-GCM envelope (nonce || ciphertext || tag) and the id of the key that sealed it.
    credentials         bytea NOT NULL,
    credentials_key_id  text NOT NULL,
    api_base_url        text NOT NULL,
    auth_base_url       text,
    health              text NOT NULL DEFAULT 'connected'
                        CHECK (health IN ('connected', 'needs_attention', 'disconnected')),
    health_cause        text,
    health_message      text,
    health_changed_at   timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    disconnected_at     timestamptz,
    PRIMARY KEY (org_id, id),
    CHECK ((health = 'disconnected') = (disconnected_at IS NOT NULL))
);
-- A workspace is connected at most once per organization (a disconnected one may be reconnected).
CREATE UNIQUE INDEX platform_connections_workspace
    ON platform_connections (org_id, platform, workspace_id) WHERE disconnected_at IS NULL;
CREATE TRIGGER platform_connections_updated_at BEFORE UPDATE ON platform_connections
    FOR EACH ROW EXECUTE FUNCTION usersync_touch_updated_at();

-- Teams (Teams, Webex), user groups (Slack) and groups (Zoom), with the admin's selection.
CREATE TABLE teams (
    org_id            uuid NOT NULL,
    id                uuid NOT NULL,
    connection_id     uuid NOT NULL,
    platform_team_id  text NOT NULL,
    name              text NOT NULL,
    description       text,
    selected          boolean NOT NULL DEFAULT false,
    selected_at       timestamptz,
    selected_by       text,
    last_seen_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, connection_id, platform_team_id),
    FOREIGN KEY (org_id, connection_id) REFERENCES platform_connections (org_id, id) ON DELETE CASCADE
);
CREATE TRIGGER teams_updated_at BEFORE UPDATE ON teams
    FOR EACH ROW EXECUTE FUNCTION usersync_touch_updated_at();

-- The cross-platform identity: accounts that share a normalized email within the organization.
CREATE TABLE people (
    org_id                 uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id                     uuid NOT NULL,
    email_normalized       text NOT NULL CHECK (email_normalized = lower(btrim(email_normalized))),
    display_name           text,
    -- The primary platform, as the connection the person lives on. NULL while a choice is needed.
    primary_connection_id  uuid,
    -- 'default' (the only platform the person is on) or 'admin' (an admin's choice).
    primary_source         text CHECK (primary_source IN ('default', 'admin')),
    primary_chosen_by      text,
    primary_chosen_at      timestamptz,
    needs_primary_choice   boolean NOT NULL DEFAULT false,
    -- True when every account of the person is deactivated upstream.
    all_accounts_deactivated boolean NOT NULL DEFAULT false,
    last_prompted_at       timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, email_normalized),
    CHECK ((primary_connection_id IS NULL) = (primary_source IS NULL)),
    FOREIGN KEY (org_id, primary_connection_id)
        REFERENCES platform_connections (org_id, id) ON DELETE SET NULL (primary_connection_id)
);
CREATE INDEX people_needs_primary ON people (org_id) WHERE needs_primary_choice;
CREATE TRIGGER people_updated_at BEFORE UPDATE ON people
    FOR EACH ROW EXECUTE FUNCTION usersync_touch_updated_at();

-- One row per platform user of a connection, keyed by (connection, platform user id).
CREATE TABLE platform_accounts (
    org_id            uuid NOT NULL,
    id                uuid NOT NULL,
    connection_id     uuid NOT NULL,
    platform_user_id  text NOT NULL,
    email             text,
    email_normalized  text GENERATED ALWAYS AS (nullif(lower(btrim(email)), '')) STORED,
    display_name      text,
    real_name         text,
    is_bot            boolean NOT NULL DEFAULT false,
    is_guest          boolean NOT NULL DEFAULT false,
    active            boolean NOT NULL DEFAULT true,
    deactivated_at    timestamptz,
    person_id         uuid,
    first_seen_at     timestamptz NOT NULL DEFAULT now(),
    last_seen_at      timestamptz NOT NULL DEFAULT now(),
    last_import_run_id uuid,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, connection_id, platform_user_id),
    CHECK (active = (deactivated_at IS NULL)),
    FOREIGN KEY (org_id, connection_id) REFERENCES platform_connections (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id) ON DELETE SET NULL (person_id)
);
CREATE INDEX platform_accounts_person ON platform_accounts (org_id, person_id);
CREATE INDEX platform_accounts_email ON platform_accounts (org_id, email_normalized);

CREATE TABLE team_memberships (
    org_id        uuid NOT NULL,
    team_id       uuid NOT NULL,
    account_id    uuid NOT NULL,
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, team_id, account_id),
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, account_id) REFERENCES platform_accounts (org_id, id) ON DELETE CASCADE
);
CREATE INDEX team_memberships_account ON team_memberships (org_id, account_id);
