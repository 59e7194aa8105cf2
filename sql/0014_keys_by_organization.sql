-- Ready to distribute by organization (docs/scaling.md): every unique key of a tenant table
-- includes org_id, so a distributed PostgreSQL can enforce it on the node that holds the
-- organization. The OAuth state of a consent link is always looked up with its organization
-- (the state names it), so the key loses nothing.
ALTER TABLE consent_tokens
    DROP CONSTRAINT consent_tokens_state_hash_key,
    ADD CONSTRAINT consent_tokens_state_hash_key UNIQUE (org_id, state_hash);
