-- A delivery run moved from one message of a conversation to the next in a transaction of its own:
-- BEGIN, the scope, what became of the message before with the lease renewed, the head, COMMIT.
-- At a steady rate most runs find nothing after their one message, so that was five round trips
-- a message for one answer (bench-relay at 500 messages a second: 17 statements a message in
-- all, the cores 93 % busy). usersync_relay_next does the same in one statement that scopes
-- itself. Its steps stay statements of their own, each with its own snapshot, as they were: the
-- head is read after the lease is taken, so an event stored while the lease waited is seen (an
-- event that found the conversation held queued no job for it). The run reads what the head's
-- delivery needs afterwards, while it holds the conversation to deliver that head, or, when the
-- message before had another behind it (`more`), in the transaction that moves on to it.
CREATE FUNCTION usersync_relay_next(
    p_org uuid, p_connection uuid, p_conversation text, p_job bigint, p_attempt bigint, p_until timestamptz, p_now timestamptz,
    -- What became of the message before (none when p_message is NULL), as the repository's
    -- RecordStatement stores it: its new state, then the step that says so.
    p_message uuid, p_state text, p_cause text, p_cause_message text, p_attempts bigint, p_retry_job bigint,
    p_sender_account text, p_recipient_account text, p_sender_person uuid, p_recipient_person uuid, p_destination_connection uuid,
    p_send_as text, p_destination_conversation text, p_destination_message text, p_delivered_at timestamptz,
    p_updated_at timestamptz, p_clear_body boolean, p_nothing_posted boolean, p_step text, p_step_cause text, p_step_detail text)
-- One row: whether the run holds the conversation and, if so, its head when the head is the run's
-- job's to deliver (marked as attempted from p_now, with when an attempt of it began before, and
-- whether another message waits behind it). Holding it with nothing for the job, the run has
-- given it back.
RETURNS TABLE (held boolean, head relay_messages, previous_attempt timestamptz, more boolean)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_head uuid;
    v_previous timestamptz;
    v_ours boolean;
    v_sequence bigint;
BEGIN
    IF nullif(current_setting('usersync.org_id', true), '') <> p_org::text THEN
        RAISE EXCEPTION 'usersync_relay_next: the transaction is scoped to another organization';
    END IF;
    PERFORM set_config('usersync.org_id', p_org::text, true);

    IF p_message IS NOT NULL THEN
        WITH updated AS (
            UPDATE relay_messages SET
                state = p_state, cause = p_cause, cause_message = p_cause_message, attempts = p_attempts, retry_job_id = p_retry_job,
                sender_account = p_sender_account, recipient_account = p_recipient_account, sender_person_id = p_sender_person,
                recipient_person_id = p_recipient_person, destination_connection_id = p_destination_connection, send_as = p_send_as,
                destination_conversation = p_destination_conversation, destination_message_id = p_destination_message,
                delivered_at = p_delivered_at, updated_at = p_updated_at,
                body = CASE WHEN p_clear_body THEN NULL ELSE body END,
                attempt_started_at = CASE WHEN p_nothing_posted THEN NULL ELSE attempt_started_at END
            WHERE org_id = p_org AND id = p_message
            RETURNING id
        )
        INSERT INTO relay_message_steps (org_id, message_id, position, step, cause, detail, at)
        SELECT p_org, u.id,
               (SELECT coalesce(max(s.position) + 1, 0) FROM relay_message_steps s WHERE s.org_id = p_org AND s.message_id = p_message),
               p_step, p_step_cause, p_step_detail, p_updated_at
        FROM updated u;
    END IF;

    -- The lease, taken or renewed (the repository's LeaseStatement says when another run keeps it).
    INSERT INTO relay_conversation_leases AS l (org_id, source_connection_id, source_conversation, lease_owner, lease_attempt, leased_until)
    VALUES (p_org, p_connection, p_conversation, p_job, p_attempt, p_until)
    ON CONFLICT (org_id, source_connection_id, source_conversation) DO UPDATE
        SET lease_owner = excluded.lease_owner, lease_attempt = excluded.lease_attempt, leased_until = excluded.leased_until,
            queued_job = nullif(l.queued_job, excluded.lease_owner)
        WHERE l.lease_owner IS NULL OR l.leased_until < p_now
           OR (l.lease_owner = excluded.lease_owner AND l.lease_attempt IS NOT DISTINCT FROM excluded.lease_attempt)
           OR NOT usersync_relay_run_is_current(l.org_id, l.lease_owner, l.lease_attempt)
    RETURNING true INTO held;
    IF held IS NULL THEN
        held := false;
        RETURN NEXT;
        RETURN;
    END IF;

    -- The head, in a statement after the lease's: it sees what was stored while the lease waited.
    SELECT m.id, m.attempt_started_at, m.state = 'received' OR m.retry_job_id = p_job, m.sequence INTO v_head, v_previous, v_ours, v_sequence
    FROM relay_messages m
    WHERE m.org_id = p_org AND m.source_connection_id = p_connection AND m.source_conversation = p_conversation
      AND m.state IN ('received', 'retrying')
    ORDER BY m.sequence LIMIT 1;
    IF v_ours THEN
        UPDATE relay_messages m SET attempt_started_at = p_now WHERE m.org_id = p_org AND m.id = v_head RETURNING m.* INTO head;
        previous_attempt := v_previous;
        more := EXISTS (
            SELECT FROM relay_messages m
            WHERE m.org_id = p_org AND m.source_connection_id = p_connection AND m.source_conversation = p_conversation
              AND m.state IN ('received', 'retrying') AND m.sequence > v_sequence);
    ELSE
        -- Nothing for this job (nothing pending, or the head waits for another job's retry).
        UPDATE relay_conversation_leases SET lease_owner = NULL, lease_attempt = NULL, leased_until = NULL
        WHERE org_id = p_org AND source_connection_id = p_connection AND source_conversation = p_conversation
          AND lease_owner = p_job AND lease_attempt = p_attempt;
    END IF;
    RETURN NEXT;
END $$;
