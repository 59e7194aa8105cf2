-- A person as routing reads them (the relay reads two a message): accounts and syncs without the
-- syncs' history, which grows with every status change and which routing never looks at. The
-- history's subquery is not computed when the statement does not name its column.
CREATE FUNCTION usersync_person_current(p_org uuid, p_person uuid) RETURNS SETOF people_directory
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
    IF nullif(current_setting('usersync.org_id', true), '') <> p_org::text THEN
        RAISE EXCEPTION 'usersync_person_current: the transaction is scoped to another organization';
    END IF;
    PERFORM set_config('usersync.org_id', p_org::text, true);
    RETURN QUERY SELECT p.org_id, p.id, p.email_normalized, p.display_name, p.primary_connection_id, p.primary_source,
        p.primary_chosen_by, p.primary_chosen_at, p.needs_primary_choice, p.all_accounts_deactivated, p.last_prompted_at,
        p.created_at, p.updated_at, p.accounts_json, p.syncs_json, '{}'::text
    FROM people_directory p WHERE p.org_id = p_org AND p.id = p_person;
END
$$;
