-- A SCIM request's token is admitted in the transaction of the request itself, in one round trip:
-- the function scopes the transaction to p_org (row-level security, as `withTenant` does with its
-- own statement) and tells whether a live token of that organization has this hash, noting its
-- last use at most once per p_resolution so that an identity provider's bursts stay reads. An
-- identity provider sends one request per membership change, thousands at a time; this is one
-- statement of each instead of two. In a transaction already scoped, only to that organization.
CREATE FUNCTION usersync_admit_scim_token(p_org uuid, p_hash bytea, p_now timestamptz, p_resolution interval)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_id uuid;
    v_last_used timestamptz;
BEGIN
    IF nullif(current_setting('usersync.org_id', true), '') <> p_org::text THEN
        RAISE EXCEPTION 'usersync_admit_scim_token: the transaction is scoped to another organization';
    END IF;
    PERFORM set_config('usersync.org_id', p_org::text, true);
    SELECT id, last_used_at INTO v_id, v_last_used
    FROM scim_tokens WHERE org_id = p_org AND token_hash = p_hash AND revoked_at IS NULL;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF v_last_used IS NULL OR p_now - v_last_used >= p_resolution THEN
        UPDATE scim_tokens SET last_used_at = p_now WHERE org_id = p_org AND id = v_id;
    END IF;
    RETURN true;
END
$$;
