-- A person with their accounts and syncs, read in the same statement as JSON arrays (positional,
-- times as epoch seconds): a person is one round trip (usersync_person), not four transactions.
-- The arrays are correlated subqueries of a view, evaluated only for the rows a statement
-- returns, about 40 µs a person (a PL/pgSQL function per row cost 200 to 300). Pages of people
-- read accounts and syncs by the page's ids instead, four times cheaper for fifty people.
-- security_invoker: the caller's row-level security applies, as on the tables themselves.
CREATE VIEW people_directory WITH (security_invoker = true) AS
SELECT p.*,
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
    -- Each sync's events, oldest first, by sync id: read only by what selects it (a person's page).
    (SELECT coalesce(json_object_agg(h.sync_id, h.events), '{}') FROM (
        SELECT e.sync_id, json_agg(json_build_array(
                   e.from_status, e.to_status, e.cause, e.message, e.actor_kind, e.actor_id,
                   extract(epoch FROM e.next_retry_at), e.fix_action, extract(epoch FROM e.created_at))
                   ORDER BY e.id) AS events
        FROM syncs s JOIN sync_events e ON e.org_id = s.org_id AND e.sync_id = s.id
        WHERE s.org_id = p.org_id AND s.person_id = p.id
        GROUP BY e.sync_id) h)::text AS sync_history_json
FROM people p;

GRANT SELECT ON people_directory TO usersync_app;

-- A person with accounts and syncs (with history), in one round trip outside any transaction:
-- it scopes itself to p_org (row-level security, as `withTenant` does) before it reads, and the
-- scope ends with the statement. In a transaction already scoped, only to that organization.
-- PL/pgSQL keeps the statement's plan for the connection's life.
CREATE FUNCTION usersync_person(p_org uuid, p_person uuid) RETURNS SETOF people_directory
LANGUAGE plpgsql AS $$
BEGIN
    IF nullif(current_setting('usersync.org_id', true), '') <> p_org::text THEN
        RAISE EXCEPTION 'usersync_person: the transaction is scoped to another organization';
    END IF;
    PERFORM set_config('usersync.org_id', p_org::text, true);
    RETURN QUERY SELECT * FROM people_directory p WHERE p.org_id = p_org AND p.id = p_person;
END
$$;
