-- Whether a delivery run will read a conversation is asked of the job its lease row names, found
-- by the job's key alone. Asked with the job's state beside the key (sql/0038), the planner could
-- read every queued or running job of every organization instead, through the partial indexes
-- on those states (jobs_claimable, jobs_leases), when the statistics were taken while few jobs
-- waited; and with the key alone it reads the whole queue when the queue was small as the
-- connection made its generic plan. Either plan stays with the connection while the queue grows:
-- in bench-relay, 4,000 events at once, that check touched 180-odd buffer pages per event (over
-- half of what a relayed message asks of the database); once 20,000 jobs of another organization
-- were queued, an event took 10 ms rather than 0.3-0.4. The job is now read by its key with
-- sequential scans off, as the queue's own functions are (sql/0009), and its state checked on
-- the row found: 0.13-0.14 ms an event with or without that backlog.

-- Whether the run p_attempt of job p_job is the job's current one: the job is running, on that
-- attempt. Also RelayMessageRepository.holderIsCurrent's test of a conversation's holder.
CREATE FUNCTION usersync_relay_run_is_current(p_org uuid, p_job bigint, p_attempt integer) RETURNS boolean
LANGUAGE plpgsql STABLE SET enable_seqscan = off AS $$
BEGIN
    RETURN coalesce((SELECT j.state = 'running' AND j.attempts IS NOT DISTINCT FROM p_attempt FROM jobs j
                     WHERE j.org_id = p_org AND j.id = p_job), false);
END
$$;

CREATE OR REPLACE FUNCTION usersync_relay_receive(
    p_org uuid, p_id uuid, p_kind text, p_connection uuid, p_event_key text, p_conversation text, p_message_id text,
    p_sender text, p_recipient text, p_to_bot boolean, p_thread text, p_body jsonb, p_state text, p_sent_at timestamptz,
    p_received_at timestamptz, p_now timestamptz, p_job_kind text, p_job_payload jsonb, p_job_max_attempts integer)
RETURNS boolean
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
    v_covered boolean;
    v_job bigint;
BEGIN
    IF nullif(current_setting('usersync.org_id', true), '') <> p_org::text THEN
        RAISE EXCEPTION 'usersync_relay_receive: the transaction is scoped to another organization';
    END IF;
    PERFORM set_config('usersync.org_id', p_org::text, true);
    INSERT INTO relay_messages (org_id, id, kind, source_connection_id, event_key, source_conversation, source_message_id,
                                sender_account, recipient_account, to_bot, thread_id, body, state, sent_at, received_at, updated_at)
    VALUES (p_org, p_id, p_kind, p_connection, p_event_key, p_conversation, p_message_id, p_sender, p_recipient, p_to_bot,
            p_thread, p_body, p_state, p_sent_at, p_received_at, p_received_at)
    ON CONFLICT (org_id, source_connection_id, event_key) DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;  -- seen before: a platform's retry
    END IF;
    INSERT INTO relay_message_steps (org_id, message_id, position, step, at) VALUES (p_org, p_id, 0, 'received', p_received_at);

    SELECT (l.lease_owner IS NOT NULL AND l.leased_until >= p_now
            AND usersync_relay_run_is_current(l.org_id, l.lease_owner, l.lease_attempt))
        OR coalesce((SELECT j.state = 'queued' AND j.run_at <= now() FROM jobs j WHERE j.org_id = l.org_id AND j.id = l.queued_job), false)
    INTO v_covered
    FROM relay_conversation_leases l
    WHERE l.org_id = p_org AND l.source_connection_id = p_connection AND l.source_conversation = p_conversation
    FOR NO KEY UPDATE OF l;
    IF v_covered THEN
        RETURN true;
    END IF;

    -- No run will read it: a job of its own (waking idle workers at commit), noted as the
    -- conversation's waiting job.
    INSERT INTO jobs (org_id, kind, payload, run_at, max_attempts)
    VALUES (p_org, p_job_kind, p_job_payload, now(), p_job_max_attempts)
    RETURNING id INTO v_job;
    PERFORM pg_notify('usersync_jobs', '');
    INSERT INTO relay_conversation_leases (org_id, source_connection_id, source_conversation, queued_job)
    VALUES (p_org, p_connection, p_conversation, v_job)
    ON CONFLICT (org_id, source_connection_id, source_conversation) DO UPDATE SET queued_job = excluded.queued_job;
    RETURN true;
END
$$;
