-- A poll asked for while the connection's poll job is finishing (after its last look at the
-- request mark, before the job leaves `running`) cannot queue a job of its own: the running job
-- holds the dedupe key. Each poll now records the request it saw before it read the groups, and
-- the scheduler queues a poll for any request newer than that once it has had time to be seen.
ALTER TABLE auto_sync_polls ADD COLUMN poll_done_through timestamptz;
