-- The relay (issue 14): every cross-platform direct message has one ledger row, written when its
-- platform's signed event arrives and carried by worker jobs to the recipient's primary platform.
-- A redelivered event (same connection and event key) finds its row and adds nothing. The text
-- is kept only while delivery needs it (`body` is cleared once the message is delivered, or
-- after the retention window for messages that never were).
CREATE TABLE relay_messages (
    org_id                   uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id                       uuid NOT NULL,
    source_connection_id     uuid NOT NULL,
    event_key                text NOT NULL,
    kind                     text NOT NULL CHECK (kind IN ('message', 'edit', 'delete')),
    source_conversation      text NOT NULL,
    source_message_id        text NOT NULL,
    sender_account           text NOT NULL,
    recipient_account        text,
    to_bot                   boolean NOT NULL,
    thread_id                text,
    -- The text and files (JSON), while delivery needs them.
    body                     jsonb,
    -- Order within the source conversation: the order events were stored in.
    sequence                 bigint GENERATED ALWAYS AS IDENTITY,
    -- received: stored, waiting for the worker; retrying: a delivery attempt failed and will be
    -- tried again; delivered; notified: not routable, the sender was told why; ignored: nothing to
    -- relay (a native DM, the app's own echo); failed: refused for good (cause); dead: retries
    -- ran out — an admin may replay it.
    state                    text NOT NULL CHECK (state IN ('received', 'retrying', 'delivered', 'notified', 'ignored', 'failed', 'dead')),
    cause                    text,
    cause_message            text,
    attempts                 integer NOT NULL DEFAULT 0,
    -- The job that will try a retrying message again (the conversation's later messages wait).
    retry_job_id             bigint,
    sender_person_id         uuid,
    recipient_person_id      uuid,
    destination_connection_id uuid,
    send_as                  text,
    destination_conversation text,
    destination_message_id   text,
    sent_at                  timestamptz NOT NULL,
    received_at              timestamptz NOT NULL,
    delivered_at             timestamptz,
    updated_at               timestamptz NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, source_connection_id, event_key),
    FOREIGN KEY (org_id, source_connection_id) REFERENCES platform_connections (org_id, id) ON DELETE CASCADE
);
CREATE INDEX relay_messages_newest ON relay_messages (org_id, received_at DESC, id DESC);
-- The conversation's queue, in order.
CREATE INDEX relay_messages_pending ON relay_messages (org_id, source_connection_id, source_conversation, sequence)
    WHERE state IN ('received', 'retrying');
-- An edit, delete or thread reply finds the message it refers to.
CREATE INDEX relay_messages_by_source_message ON relay_messages (org_id, source_connection_id, source_message_id);
-- A thread reply on the destination side finds the relayed message it answers.
CREATE INDEX relay_messages_by_destination_message ON relay_messages (org_id, destination_connection_id, destination_message_id)
    WHERE destination_message_id IS NOT NULL;
-- A reply written to the app's bot finds the persona it answers.
CREATE INDEX relay_messages_by_destination ON relay_messages (org_id, destination_connection_id, destination_conversation, delivered_at DESC)
    WHERE destination_message_id IS NOT NULL;

-- What happened to each message, in order (received → routed → delivered / retrying / failed).
CREATE TABLE relay_message_steps (
    org_id       uuid NOT NULL,
    message_id   uuid NOT NULL,
    position     integer NOT NULL,
    step         text NOT NULL,
    cause        text,
    detail       text,
    at           timestamptz NOT NULL,
    PRIMARY KEY (org_id, message_id, position),
    -- No foreign key to relay_messages: its check was planned, from statistics of a near-empty
    -- ledger, as a walk of the organization's every message (2.9 ms a step in the relay
    -- benchmark). Messages are never deleted one by one; an organization takes both with it.
    FOREIGN KEY (org_id) REFERENCES organizations (id) ON DELETE CASCADE
);

-- One worker at a time delivers a conversation's messages, in order: the lease it holds.
CREATE TABLE relay_conversation_leases (
    org_id               uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source_connection_id uuid NOT NULL,
    source_conversation  text NOT NULL,
    lease_owner          bigint,
    leased_until         timestamptz,
    PRIMARY KEY (org_id, source_connection_id, source_conversation)
);

-- Reactive prompts: when each person was last told why a message could not reach them or be
-- sent, so nobody is told twice within the throttle window.
CREATE TABLE relay_notices (
    org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    person_id   uuid NOT NULL,
    reason      text NOT NULL,
    notified_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, person_id, reason)
);


-- The organization's relay policy: whether files cross platforms (as links), separately for
-- messages a stand-in carries; and the people who may not message across platforms at all.
CREATE TABLE relay_policies (
    org_id                  uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    files_allowed           boolean NOT NULL DEFAULT true,
    stand_in_files_allowed  boolean NOT NULL DEFAULT true,
    updated_at              timestamptz NOT NULL DEFAULT now(),
    updated_by              text
);

CREATE TABLE relay_restrictions (
    org_id      uuid NOT NULL,
    person_id   uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL,
    PRIMARY KEY (org_id, person_id),
    FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id) ON DELETE CASCADE
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['relay_messages', 'relay_message_steps', 'relay_conversation_leases', 'relay_notices',
                            'relay_policies', 'relay_restrictions'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (org_id = usersync_current_org()) WITH CHECK (org_id = usersync_current_org())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO usersync_app', t);
    END LOOP;
END $$;
