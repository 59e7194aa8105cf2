-- When the last delivery attempt of a message began, set as the attempt reads the message and
-- cleared when the platform answered that it posted nothing (a rate limit). A message still
-- pending with it set may have been posted by an attempt that was interrupted (a worker killed
-- after the platform took the post, before the ledger recorded it, or an answer that never came):
-- the next attempt looks for that post first where the platform allows (Slack message metadata)
-- instead of posting it again.
ALTER TABLE relay_messages ADD COLUMN attempt_started_at timestamptz;
