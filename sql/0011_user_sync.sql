-- User Sync: the stand-in a virtual sync created, when the prompt of a consent link went out,
-- when a person's own tokens were last proven, and the indexes the sync screens read by.

ALTER TABLE syncs
    ADD COLUMN virtual_kind text CHECK (virtual_kind IN ('guest', 'bot_persona')),
    ADD COLUMN consented_at timestamptz,
    ADD COLUMN user_tokens_checked_at timestamptz;
CREATE INDEX syncs_connection ON syncs (org_id, connection_id, status);

-- A consent link is live from when its prompt was delivered until it is used, superseded by a
-- newer one, or expires. Its OAuth state has a deadline of its own once the person opens it.
ALTER TABLE consent_tokens
    ADD COLUMN delivered_at timestamptz,
    ADD COLUMN state_expires_at timestamptz;

CREATE INDEX audit_log_target ON audit_log (org_id, target_type, target_id, id);
CREATE INDEX audit_log_actor ON audit_log (org_id, actor_kind, id);
