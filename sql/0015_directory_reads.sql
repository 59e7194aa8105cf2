-- A person's accounts and syncs, read beside the person in the same statement as JSON arrays
-- (positional, times as epoch seconds): a page of people is one statement, not three, and a
-- person is one round trip (usersync_person). PL/pgSQL keeps each function's plans for the
-- connection's life, so the hot reads are not planned anew on every request.

CREATE FUNCTION usersync_accounts_json(p_org uuid, p_person uuid) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (
        SELECT coalesce(json_agg(json_build_array(
                   a.id, a.connection_id, c.platform, a.platform_user_id, a.email, a.emails, a.display_name, a.real_name,
                   a.is_guest, a.active, extract(epoch FROM a.deactivated_at), a.deactivation_reason,
                   extract(epoch FROM a.first_seen_at), extract(epoch FROM a.updated_at))
                   ORDER BY c.created_at, a.platform_user_id), '[]')
        FROM platform_accounts a JOIN platform_connections c ON c.org_id = a.org_id AND c.id = a.connection_id
        WHERE a.org_id = p_org AND a.person_id = p_person);
END
$$;

-- With p_history, each sync carries its events, oldest first.
CREATE FUNCTION usersync_syncs_json(p_org uuid, p_person uuid, p_history boolean) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (
        SELECT coalesce(json_agg(json_build_array(
                   s.id, s.connection_id, c.platform, s.mode, s.status, s.cause, s.message, extract(epoch FROM s.next_retry_at),
                   s.fix_action, s.linked_account_id, s.virtual_identity, s.virtual_kind, s.user_tokens IS NOT NULL,
                   extract(epoch FROM s.user_token_expires_at), s.created_by, extract(epoch FROM s.created_at),
                   extract(epoch FROM s.updated_at),
                   CASE WHEN p_history THEN (
                       SELECT coalesce(json_agg(json_build_array(
                                  e.from_status, e.to_status, e.cause, e.message, e.actor_kind, e.actor_id,
                                  extract(epoch FROM e.next_retry_at), e.fix_action, extract(epoch FROM e.created_at))
                                  ORDER BY e.id), '[]')
                       FROM sync_events e WHERE e.org_id = p_org AND e.sync_id = s.id)
                   END)
                   ORDER BY c.created_at, s.id), '[]')
        FROM syncs s JOIN platform_connections c ON c.org_id = s.org_id AND c.id = s.connection_id
        WHERE s.org_id = p_org AND s.person_id = p_person);
END
$$;

-- A person with accounts and syncs (with history), in one round trip outside any transaction:
-- it scopes itself to p_org (row-level security, as `withTenant` does) before it reads, and the
-- scope ends with the statement. In a transaction already scoped, only to that organization.
CREATE FUNCTION usersync_person(p_org uuid, p_person uuid)
RETURNS TABLE (
    id uuid, email_normalized text, display_name text, primary_connection_id uuid, primary_source text,
    primary_chosen_by text, primary_chosen_at timestamptz, needs_primary_choice boolean, all_accounts_deactivated boolean,
    created_at timestamptz, updated_at timestamptz, last_prompted_at timestamptz, accounts text, syncs text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    IF nullif(current_setting('usersync.org_id', true), '') <> p_org::text THEN
        RAISE EXCEPTION 'usersync_person: the transaction is scoped to another organization';
    END IF;
    PERFORM set_config('usersync.org_id', p_org::text, true);
    RETURN QUERY
        SELECT p.id, p.email_normalized, p.display_name, p.primary_connection_id, p.primary_source, p.primary_chosen_by,
               p.primary_chosen_at, p.needs_primary_choice, p.all_accounts_deactivated, p.created_at, p.updated_at,
               p.last_prompted_at, usersync_accounts_json(p_org, p.id)::text, usersync_syncs_json(p_org, p.id, true)::text
        FROM people p WHERE p.org_id = p_org AND p.id = p_person;
END
$$;
