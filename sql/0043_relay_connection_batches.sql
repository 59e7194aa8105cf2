-- At a steady rate each message arrived after the run before it had given its conversation back,
-- and got a delivery job of its own: a job's insert, wake-up, claim and success for every message
-- (bench-relay, 10,000 messages at 500 a second: 5,170 jobs). Now an event whose conversation no
-- run will read joins its connection's delivery job while that job waits to start, adding its
-- conversation to the job's list (up to p_conversations_per_job); only when there is none is a
-- job queued, and idle workers woken. The run delivers each of its conversations under that
-- conversation's own lease, as before. `relay_connection_batches` names each connection's joinable
-- job. The job's row lock orders a join against the claim that starts the job: a join that comes
-- after the claim finds the job running and queues a new one, and a claim after the join reads the
-- list with the joined conversation.
CREATE TABLE relay_connection_batches (
    org_id               uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source_connection_id uuid NOT NULL,
    queued_job           bigint NOT NULL,
    PRIMARY KEY (org_id, source_connection_id)
);
ALTER TABLE relay_connection_batches ENABLE ROW LEVEL SECURITY;
ALTER TABLE relay_connection_batches FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON relay_connection_batches
    USING (org_id = usersync_current_org()) WITH CHECK (org_id = usersync_current_org());
GRANT SELECT, INSERT, UPDATE, DELETE ON relay_connection_batches TO usersync_app;

DROP FUNCTION usersync_relay_receive(uuid, uuid, text, uuid, text, text, text, text, text, boolean, text, jsonb, text, timestamptz,
                                     timestamptz, timestamptz, text, jsonb, integer);

-- As sql/0040's, with p_job_payload the new job's ({"connection", "conversations": [p_conversation]}).
CREATE FUNCTION usersync_relay_receive(
    p_org uuid, p_id uuid, p_kind text, p_connection uuid, p_event_key text, p_conversation text, p_message_id text,
    p_sender text, p_recipient text, p_to_bot boolean, p_thread text, p_body jsonb, p_state text, p_sent_at timestamptz,
    p_received_at timestamptz, p_now timestamptz, p_job_kind text, p_job_payload jsonb, p_job_max_attempts integer,
    p_conversations_per_job integer)
RETURNS boolean
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
    v_covered boolean;
    v_joinable boolean;
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

    -- No run will read it: the connection's job that has not started yet takes it too, else a job
    -- of its own (waking idle workers at commit) that later events may join. The job is read by
    -- its key, locked, and judged on the row found (as sql/0040 reads a conversation's jobs).
    SELECT b.queued_job INTO v_job FROM relay_connection_batches b WHERE b.org_id = p_org AND b.source_connection_id = p_connection;
    IF v_job IS NOT NULL THEN
        SELECT j.state = 'queued' AND j.run_at <= now()
               AND coalesce(jsonb_array_length(j.payload -> 'conversations') < p_conversations_per_job, false)
        INTO v_joinable
        FROM jobs j WHERE j.org_id = p_org AND j.id = v_job
        FOR NO KEY UPDATE;
        IF v_joinable THEN
            UPDATE jobs SET payload = jsonb_set(payload, '{conversations}', payload -> 'conversations' || to_jsonb(p_conversation))
            WHERE org_id = p_org AND id = v_job;
        ELSE
            v_job := NULL;
        END IF;
    END IF;
    IF v_job IS NULL THEN
        INSERT INTO jobs (org_id, kind, payload, run_at, max_attempts)
        VALUES (p_org, p_job_kind, p_job_payload, now(), p_job_max_attempts)
        RETURNING id INTO v_job;
        PERFORM pg_notify('usersync_jobs', '');
        INSERT INTO relay_connection_batches (org_id, source_connection_id, queued_job) VALUES (p_org, p_connection, v_job)
        ON CONFLICT (org_id, source_connection_id) DO UPDATE SET queued_job = excluded.queued_job;
    END IF;
    INSERT INTO relay_conversation_leases (org_id, source_connection_id, source_conversation, queued_job)
    VALUES (p_org, p_connection, p_conversation, v_job)
    ON CONFLICT (org_id, source_connection_id, source_conversation) DO UPDATE SET queued_job = excluded.queued_job;
    RETURN true;
END
$$;
