-- Auto Sync: directory groups subscribed to a policy (primary + secondary platforms).
CREATE TABLE auto_sync_policies (
    org_id                  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id                      uuid NOT NULL,
    name                    text NOT NULL,
    directory_group_id      text NOT NULL,
    primary_connection_id   uuid NOT NULL,
    secondary_connection_ids uuid[] NOT NULL DEFAULT '{}',
    -- A run that would unsync more than this share of members waits for an admin's approval.
    unsync_threshold_percent integer NOT NULL DEFAULT 10 CHECK (unsync_threshold_percent BETWEEN 0 AND 100),
    enabled                 boolean NOT NULL DEFAULT true,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, directory_group_id),
    FOREIGN KEY (org_id, primary_connection_id) REFERENCES platform_connections (org_id, id) ON DELETE CASCADE
);

CREATE TABLE directory_group_members (
    org_id              uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    directory_group_id  text NOT NULL,
    external_user_id    text NOT NULL,
    email_normalized    text NOT NULL,
    source              text NOT NULL CHECK (source IN ('scim', 'delta_poll')),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, directory_group_id, external_user_id)
);

CREATE TABLE auto_sync_runs (
    org_id         uuid NOT NULL,
    id             uuid NOT NULL,
    policy_id      uuid NOT NULL,
    state          text NOT NULL DEFAULT 'planned'
                   CHECK (state IN ('planned', 'held_for_approval', 'applying', 'applied', 'rejected', 'failed')),
    joiners        integer NOT NULL DEFAULT 0,
    leavers        integer NOT NULL DEFAULT 0,
    approved_by    text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, policy_id) REFERENCES auto_sync_policies (org_id, id) ON DELETE CASCADE
);
