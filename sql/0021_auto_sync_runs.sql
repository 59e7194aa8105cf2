-- Auto Sync runs (issue 12): every run records its plan and what became of it. Additions are
-- applied when the run is made; removals are applied at once, or held for an admin's approval.
-- 0006's placeholder table is replaced (nothing used it).

DROP TABLE auto_sync_runs;

CREATE TABLE auto_sync_runs (
    org_id          uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id              uuid NOT NULL,
    policy_id       uuid NOT NULL,
    -- What asked for the run.
    trigger         text NOT NULL CHECK (trigger IN ('policy_created', 'policy_updated', 'membership_changed', 'import', 'manual')),
    -- applied: everything planned was applied (removals through jobs); held: additions applied,
    -- removals wait for an admin; approved / rejected: an admin decided a held run; superseded:
    -- a later run's plan replaced a held one before anyone decided.
    state           text NOT NULL CHECK (state IN ('applied', 'held', 'approved', 'rejected', 'superseded')),
    primaries       integer NOT NULL,
    starts          integer NOT NULL,
    handovers       integer NOT NULL,
    removals        integer NOT NULL,
    skips           integer NOT NULL,
    not_on_any_platform integer NOT NULL,
    synced_before   integer NOT NULL,
    hold_reason     text,
    decided_by      text,
    decided_at      timestamptz,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, policy_id) REFERENCES auto_sync_policies (org_id, id) ON DELETE CASCADE,
    CHECK (state = 'applied' OR hold_reason IS NOT NULL)
);
CREATE INDEX auto_sync_runs_newest ON auto_sync_runs (org_id, created_at DESC, id DESC);
CREATE INDEX auto_sync_runs_by_policy ON auto_sync_runs (org_id, policy_id, created_at DESC, id DESC);
-- At most one plan per policy waits for a decision.
CREATE UNIQUE INDEX auto_sync_runs_one_held ON auto_sync_runs (org_id, policy_id) WHERE state = 'held';

-- A run's plan, one row per change (or skip), in the planner's order within each kind.
CREATE TABLE auto_sync_run_items (
    org_id          uuid NOT NULL,
    run_id          uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('primary', 'start', 'handover', 'removal', 'skip', 'not_on_any_platform')),
    position        integer NOT NULL,
    person_id       uuid,
    connection_id   uuid,
    sync_id         uuid,
    to_policy_id    uuid,
    -- A skip's reason code; a start's expected mode (link, guest, bot, or why it will fail).
    detail          text,
    -- A member matched to no one: the directory's id and email.
    external_id     text,
    email           text,
    PRIMARY KEY (org_id, run_id, kind, position),
    FOREIGN KEY (org_id, run_id) REFERENCES auto_sync_runs (org_id, id) ON DELETE CASCADE
);

-- Run requests: a change of membership marks its policies, and a job runs them. The scheduler
-- (in the queue's scope) sweeps requests whose job was coalesced away while a run was going.
ALTER TABLE auto_sync_policies
    ADD COLUMN run_requested_at timestamptz,
    ADD COLUMN run_done_through timestamptz;

-- Graph delta polls, one per Teams connection that Entra policies read through.
CREATE TABLE auto_sync_polls (
    org_id          uuid NOT NULL,
    connection_id   uuid NOT NULL,
    next_poll_at    timestamptz NOT NULL,
    last_polled_at  timestamptz,
    last_error      text,
    PRIMARY KEY (org_id, connection_id),
    FOREIGN KEY (org_id, connection_id) REFERENCES platform_connections (org_id, id) ON DELETE CASCADE
);
CREATE INDEX auto_sync_polls_due ON auto_sync_polls (next_poll_at);

-- People's primary may now be set by a policy; like an admin's choice it stands while the person
-- keeps an active account there. `primary_chosen_by` names the policy (`auto_sync:<id>`).
ALTER TABLE people DROP CONSTRAINT people_primary_source_check;
ALTER TABLE people ADD CONSTRAINT people_primary_source_check CHECK (primary_source IN ('default', 'admin', 'auto_sync'));

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['auto_sync_runs', 'auto_sync_run_items', 'auto_sync_polls'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (org_id = usersync_current_org()) '
            'WITH CHECK (org_id = usersync_current_org())', t);
    END LOOP;
END
$$;
-- The scheduler works across organizations in the queue's scope: it reads due polls and run
-- requests, and moves polls' next time. Nothing else is visible to it.
CREATE POLICY scheduler ON auto_sync_polls USING (usersync_queue_scope()) WITH CHECK (usersync_queue_scope());
CREATE POLICY scheduler_reads ON auto_sync_policies FOR SELECT USING (usersync_queue_scope());
GRANT SELECT, INSERT, UPDATE, DELETE ON auto_sync_runs, auto_sync_run_items, auto_sync_polls TO usersync_app;
