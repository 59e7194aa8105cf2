-- Claims walk the organizations that have queued jobs and take each one's next jobs in priority
-- and run-at order: one index serves both the walk (leading org_id) and the ordered pick.
CREATE INDEX jobs_claim_by_organization ON jobs (org_id, priority DESC, run_at, id) WHERE state = 'queued';

-- The claim and the success of a batch as one statement each, in the queue's own scope. A
-- function runs its statements in order, so the scope is set before the row-level security
-- policy on `jobs` is evaluated, and set_config(…, true) ends with the statement's transaction:
-- one round trip instead of BEGIN, set_config, the statement and COMMIT. Planned generically (its
-- batch size is a parameter), the final UPDATE would hash-join the whole table; a claim touches a
-- few hundred rows by key, so the functions plan with nested loops over the indexes only (PL/pgSQL keeps the plans).
-- The walk over organizations orders by the whole claim index key so that it reads that partial
-- index (queued rows only) rather than the primary key, where finished jobs pile up.
CREATE FUNCTION usersync_claim_jobs(
    p_worker text, p_limit integer, p_per_organization integer, p_lease_seconds double precision, p_start uuid)
RETURNS TABLE (org_id uuid, id bigint, kind text, payload text, attempts integer, max_attempts integer,
               created_at timestamptz, due_at timestamptz, started_at timestamptz)
LANGUAGE plpgsql VOLATILE SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off AS $$
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
END
$$;

CREATE FUNCTION usersync_succeed_jobs(p_worker text, p_organizations uuid[], p_ids bigint[])
RETURNS integer
LANGUAGE plpgsql VOLATILE SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off AS $$
DECLARE
    done integer;
BEGIN
    PERFORM set_config('usersync.scope', 'queue', true);
    UPDATE jobs SET state = 'succeeded', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
    FROM unnest(p_organizations, p_ids) AS k(org_id, id)
    WHERE jobs.org_id = k.org_id AND jobs.id = k.id AND jobs.state = 'running' AND jobs.lease_owner = p_worker;
    GET DIAGNOSTICS done = ROW_COUNT;
    RETURN done;
END
$$;
