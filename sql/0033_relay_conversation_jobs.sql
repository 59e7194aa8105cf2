-- One waiting delivery job per conversation. Each event used to queue a job of its own, so a
-- burst of ten messages in one conversation made ten jobs, nine of which found the conversation
-- held or already delivered. The conversation now remembers the job queued for it last: an event
-- that finds that job still waiting and due adds no other, holding it (FOR SHARE) until the event
-- is committed so that the job cannot start without seeing it. A job already running, or one
-- snoozed into the future, does not count: the event then queues a new one.
ALTER TABLE relay_conversation_leases ADD COLUMN queued_job bigint;
