-- An event reaches the ledger in one round trip. Storing one took four to six: BEGIN, the tenant
-- scope, the insert with its check whether a delivery run will read the conversation afterwards
-- (sql/0033), for a conversation no run will read its delivery job and the note of that job, and
-- COMMIT. This function does all of it, scoping itself to the organization as
-- usersync_person_current does (sql/0031). A request of several events calls it once per event,
-- in one transaction.
--
-- The check is the one the insert made before: a run that is its job's current one holds the
-- conversation (the condition of RelayMessageRepository.holderIsCurrent), or the job queued for it
-- last still waits and is due. The conversation's row stays locked until the transaction ends, and
-- every run takes or renews its lease (which waits for that lock) before it reads the
-- conversation's head, so either read comes after the message is committed.
CREATE FUNCTION usersync_relay_receive(
    p_org uuid, p_id uuid, p_kind text, p_connection uuid, p_event_key text, p_conversation text, p_message_id text,
    p_sender text, p_recipient text, p_to_bot boolean, p_thread text, p_body jsonb, p_state text, p_sent_at timestamptz,
    p_received_at timestamptz, p_now timestamptz, p_job_kind text, p_job_payload jsonb, p_job_max_attempts integer)
RETURNS boolean
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
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
            AND EXISTS (SELECT FROM jobs j WHERE j.org_id = l.org_id AND j.id = l.lease_owner AND j.state = 'running'
                          AND j.attempts IS NOT DISTINCT FROM l.lease_attempt))
        OR EXISTS (SELECT FROM jobs j WHERE j.org_id = l.org_id AND j.id = l.queued_job AND j.state = 'queued' AND j.run_at <= now())
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
