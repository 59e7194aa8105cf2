-- Tables that a bulk sync fills within a minute (syncs, sync_events, consent_tokens) are planned
-- from statistics taken when they were nearly empty until autovacuum analyzes them, and
-- statistics are per table, not per organization. Measured during a 10,000-person bulk sync:
-- marking a batch of 100 prompts delivered joined the organization's every live link against
-- the batch (170,000 comparisons, 185 to 470 ms a batch, half the database's time), and a
-- person's read walked the organization's every sync event (53 ms). The statements below are
-- shaped so that the only plan is a lookup by key, whatever the statistics say.

-- One key at a time: an equality on the whole primary key is planned as a one-row index lookup,
-- and the older links of its sync are found through (org_id, sync_id). Runs in the caller's
-- transaction, under its row-level security.
CREATE FUNCTION usersync_deliver_consent_tokens(p_org uuid, p_hashes bytea[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    hash bytea;
    delivered_sync uuid;
    delivered_created timestamptz;
    delivered integer := 0;
BEGIN
    FOREACH hash IN ARRAY p_hashes LOOP
        UPDATE consent_tokens SET delivered_at = now()
        WHERE org_id = p_org AND token_hash = hash
        RETURNING sync_id, created_at INTO delivered_sync, delivered_created;
        CONTINUE WHEN NOT FOUND;
        delivered := delivered + 1;
        UPDATE consent_tokens SET superseded_at = now()
        WHERE org_id = p_org AND sync_id = delivered_sync AND token_hash <> hash
          AND created_at <= delivered_created AND used_at IS NULL AND superseded_at IS NULL;
    END LOOP;
    RETURN delivered;
END
$$;
GRANT EXECUTE ON FUNCTION usersync_deliver_consent_tokens(uuid, bytea[]) TO usersync_app;

-- A person's sync history, one sync at a time: an aggregate in a lateral subquery cannot be
-- flattened into a join, so each sync's events are read through (org_id, sync_id, id) in order,
-- never by scanning the organization's events. Same columns, same JSON as before.
-- The columns of people are listed: `p.*` would now bring sort_name (sql/0017), and a view
-- replaced in place keeps its columns.
CREATE OR REPLACE VIEW people_directory WITH (security_invoker = true) AS
SELECT p.org_id, p.id, p.email_normalized, p.display_name, p.primary_connection_id, p.primary_source, p.primary_chosen_by,
    p.primary_chosen_at, p.needs_primary_choice, p.all_accounts_deactivated, p.last_prompted_at, p.created_at, p.updated_at,
    (SELECT coalesce(json_agg(json_build_array(
                a.id, a.connection_id, c.platform, a.platform_user_id, a.email, a.emails, a.display_name, a.real_name,
                a.is_guest, a.active, extract(epoch FROM a.deactivated_at), a.deactivation_reason,
                extract(epoch FROM a.first_seen_at), extract(epoch FROM a.updated_at))
                ORDER BY c.created_at, a.platform_user_id), '[]')
     FROM platform_accounts a JOIN platform_connections c ON c.org_id = a.org_id AND c.id = a.connection_id
     WHERE a.org_id = p.org_id AND a.person_id = p.id)::text AS accounts_json,
    (SELECT coalesce(json_agg(json_build_array(
                s.id, s.connection_id, c.platform, s.mode, s.status, s.cause, s.message, extract(epoch FROM s.next_retry_at),
                s.fix_action, s.linked_account_id, s.virtual_identity, s.virtual_kind, s.user_tokens IS NOT NULL,
                extract(epoch FROM s.user_token_expires_at), s.created_by, extract(epoch FROM s.created_at),
                extract(epoch FROM s.updated_at))
                ORDER BY c.created_at, s.id), '[]')
     FROM syncs s JOIN platform_connections c ON c.org_id = s.org_id AND c.id = s.connection_id
     WHERE s.org_id = p.org_id AND s.person_id = p.id)::text AS syncs_json,
    (SELECT coalesce(json_object_agg(s.id, h.events), '{}')
     FROM syncs s CROSS JOIN LATERAL (
        SELECT json_agg(json_build_array(
                   e.from_status, e.to_status, e.cause, e.message, e.actor_kind, e.actor_id,
                   extract(epoch FROM e.next_retry_at), e.fix_action, extract(epoch FROM e.created_at))
                   ORDER BY e.id) AS events
        FROM sync_events e WHERE e.org_id = s.org_id AND e.sync_id = s.id) h
     WHERE s.org_id = p.org_id AND s.person_id = p.id AND h.events IS NOT NULL)::text AS sync_history_json
FROM people p;

-- A person's syncs and accounts by their keys, not by a scan a stale estimate made look free.
ALTER FUNCTION usersync_person(uuid, uuid) SET enable_seqscan = off;
