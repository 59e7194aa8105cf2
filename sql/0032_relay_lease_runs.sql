-- A conversation's lease names the run that holds it: the job and its attempt. A run whose job
-- lease lapsed (a worker too busy to extend it) is still alive while the queue gives its job to a
-- new run; with the job alone as the holder, both runs held the conversation and delivered the
-- same messages. Now the new run takes the conversation over only from a run that is no longer
-- its job's current one, and the old run, which checks its hold before every message, stops.
ALTER TABLE relay_conversation_leases ADD COLUMN lease_attempt integer;
