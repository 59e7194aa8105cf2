-- A claim passes over a due job whose row another transaction holds (`FOR UPDATE SKIP LOCKED`):
-- the relay's event receiver holds its connection's batch job while it adds a conversation to it
-- (sql/0043), a few hundred times a second at 500 messages a second. The claim then found nothing
-- to take, and since an event that joins a queued job notifies no one, the job waited for an event
-- of another connection to queue a job of its own, or for the poll interval (a second): in the relay
-- benchmark the wait from a message stored to its delivery starting had a p99 of 385-482 ms, and
-- 179-223 ms with the worker polling every 20 ms.
-- `usersync_claim_due_jobs` claims as `usersync_claim_jobs` does (sql/0009, 0016, 0037: the same
-- statements and plan settings) and then says whether it left due jobs behind, with a last row
-- whose columns are all NULL: the worker claims again at once, or shortly when it took nothing
-- (docs/job-queue.md). `usersync_claim_jobs`, for workers of the release before, becomes the same
-- claim without that row.
CREATE FUNCTION usersync_claim_due_jobs(
    p_worker text, p_limit integer, p_per_organization integer, p_lease_seconds double precision, p_start uuid)
RETURNS TABLE (org_id uuid, id bigint, kind text, payload text, attempts integer, max_attempts integer,
               created_at timestamptz, due_at timestamptz, started_at timestamptz)
LANGUAGE plpgsql VOLATILE SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off
    SET enable_bitmapscan = off SET enable_sort = off SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
    round uuid[];
    share integer;
BEGIN
    PERFORM set_config('usersync.scope', 'queue', true);
    -- The organizations with due jobs, from p_start on and then wrapping around (a loose index
    -- scan: one probe per organization, however many jobs each has).
    WITH RECURSIVE organizations(org_id) AS (
        (SELECT j.org_id FROM jobs j WHERE j.state = 'queued' AND j.run_at <= now() AND j.org_id >= p_start
         ORDER BY j.org_id, j.priority DESC, j.run_at, j.id LIMIT 1)
        UNION ALL
        SELECT (SELECT j.org_id FROM jobs j
                WHERE j.state = 'queued' AND j.run_at <= now() AND j.org_id > o.org_id
                ORDER BY j.org_id, j.priority DESC, j.run_at, j.id LIMIT 1)
        FROM organizations o WHERE o.org_id IS NOT NULL
    ), wrapped(org_id) AS (
        (SELECT j.org_id FROM jobs j WHERE j.state = 'queued' AND j.run_at <= now() AND j.org_id < p_start
         ORDER BY j.org_id, j.priority DESC, j.run_at, j.id LIMIT 1)
        UNION ALL
        SELECT (SELECT j.org_id FROM jobs j
                WHERE j.state = 'queued' AND j.run_at <= now() AND j.org_id > w.org_id AND j.org_id < p_start
                ORDER BY j.org_id, j.priority DESC, j.run_at, j.id LIMIT 1)
        FROM wrapped w WHERE w.org_id IS NOT NULL
    )
    SELECT array_agg(r.org_id) INTO round FROM (
        SELECT o.org_id FROM organizations o WHERE o.org_id IS NOT NULL
        UNION ALL
        SELECT w.org_id FROM wrapped w WHERE w.org_id IS NOT NULL
    ) r;
    IF round IS NULL THEN
        RETURN;
    END IF;
    -- Each organization gets an equal share of the batch, and at least p_per_organization: alone,
    -- one organization fills the whole batch; among many, none can crowd out the others.
    share := greatest(p_per_organization, ceil(p_limit::numeric / cardinality(round))::integer);
    RETURN QUERY WITH picked AS MATERIALIZED (
        SELECT due.org_id, due.id FROM unnest(round) WITH ORDINALITY AS r(org_id, position) CROSS JOIN LATERAL (
            SELECT j.org_id, j.id FROM jobs j
            WHERE j.org_id = r.org_id AND j.state = 'queued' AND j.run_at <= now()
            ORDER BY j.priority DESC, j.run_at, j.id
            LIMIT share
            FOR UPDATE SKIP LOCKED
        ) due
        ORDER BY r.position
        LIMIT p_limit
    )
    UPDATE jobs SET state = 'running', attempts = jobs.attempts + 1, lease_owner = p_worker,
           lease_expires_at = now() + make_interval(secs => p_lease_seconds), started_at = now()
    FROM picked
    WHERE jobs.org_id = picked.org_id AND jobs.id = picked.id
    RETURNING jobs.org_id, jobs.id, jobs.kind, jobs.payload::text, jobs.attempts, jobs.max_attempts,
              jobs.created_at, greatest(jobs.run_at, jobs.created_at), jobs.started_at;
    -- What this claim passed over: due jobs of the round's organizations still queued now (its
    -- own are running), held by another transaction or beyond the organization's share.
    IF EXISTS (SELECT 1 FROM unnest(round) AS r(org_id)
               WHERE EXISTS (SELECT 1 FROM jobs j WHERE j.org_id = r.org_id AND j.state = 'queued' AND j.run_at <= now())) THEN
        RETURN QUERY SELECT NULL::uuid, NULL::bigint, NULL::text, NULL::text, NULL::integer, NULL::integer,
                            NULL::timestamptz, NULL::timestamptz, NULL::timestamptz;
    END IF;
END
$$;

-- The release before's claim, for its workers during a rolling upgrade: the same claim (one
-- definition to change from now on), without the last row.
CREATE OR REPLACE FUNCTION usersync_claim_jobs(
    p_worker text, p_limit integer, p_per_organization integer, p_lease_seconds double precision, p_start uuid)
RETURNS TABLE (org_id uuid, id bigint, kind text, payload text, attempts integer, max_attempts integer,
               created_at timestamptz, due_at timestamptz, started_at timestamptz)
LANGUAGE sql VOLATILE AS $$
    SELECT * FROM usersync_claim_due_jobs(p_worker, p_limit, p_per_organization, p_lease_seconds, p_start) c WHERE c.id IS NOT NULL
$$;
