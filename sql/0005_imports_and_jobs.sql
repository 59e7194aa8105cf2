CREATE TABLE import_runs (
    org_id             uuid NOT NULL,
    id                 uuid NOT NULL,
    connection_id      uuid NOT NULL,
    state              text NOT NULL DEFAULT 'queued'
                       CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    failure_cause      text,
    failure_message    text,
    pages_fetched      integer NOT NULL DEFAULT 0,
    accounts_seen      integer NOT NULL DEFAULT 0,
    accounts_added     integer NOT NULL DEFAULT 0,
    accounts_updated   integer NOT NULL DEFAULT 0,
    accounts_deactivated integer NOT NULL DEFAULT 0,
    bots_skipped       integer NOT NULL DEFAULT 0,
    -- Set while a platform rate limit holds the run.
    waiting_until      timestamptz,
    requested_by       text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    started_at         timestamptz,
    finished_at        timestamptz,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, connection_id) REFERENCES platform_connections (org_id, id) ON DELETE CASCADE
);
-- At most one active run per connection.
CREATE UNIQUE INDEX import_runs_active ON import_runs (org_id, connection_id)
    WHERE state IN ('queued', 'running');

-- The only queue. Claimed with FOR UPDATE SKIP LOCKED by `usersync work`.
CREATE TABLE jobs (
    org_id            uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id                bigint GENERATED ALWAYS AS IDENTITY,
    kind              text NOT NULL,
    payload           jsonb NOT NULL DEFAULT '{}',
    priority          smallint NOT NULL DEFAULT 0,
    run_at            timestamptz NOT NULL DEFAULT now(),
    attempts          integer NOT NULL DEFAULT 0,
    max_attempts      integer NOT NULL DEFAULT 10 CHECK (max_attempts > 0),
    state             text NOT NULL DEFAULT 'queued'
                      CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    lease_owner       text,
    lease_expires_at  timestamptz,
    last_error        text,
    dedupe_key        text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX jobs_claimable ON jobs (priority, run_at) WHERE state = 'queued';
CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE state IN ('succeeded', 'cancelled');
CREATE UNIQUE INDEX jobs_dedupe ON jobs (org_id, dedupe_key)
    WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running');
