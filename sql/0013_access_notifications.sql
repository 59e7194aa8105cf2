-- Every `serve` process keeps the API keys it admitted lately in memory (CredentialCache) and
-- listens on `usersync_access` to forget them the moment they change: a revoked (or otherwise
-- changed) or deleted key, a renamed or deleted organization. Triggers, not the application,
-- announce the change, so a revocation from any process, the CLI or plain SQL is heard by all.
-- A notification is delivered when the transaction commits; recording a key's last use is not a
-- change anyone needs to hear of.
CREATE FUNCTION usersync_announce_access_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('usersync_access', (CASE TG_TABLE_NAME WHEN 'api_keys' THEN 'key:' ELSE 'org:' END) || OLD.id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_changed AFTER UPDATE ON api_keys FOR EACH ROW
    WHEN ((OLD.revoked_at, OLD.role, OLD.name, OLD.key_hash, OLD.org_id) IS DISTINCT FROM
          (NEW.revoked_at, NEW.role, NEW.name, NEW.key_hash, NEW.org_id))
    EXECUTE FUNCTION usersync_announce_access_change();
CREATE TRIGGER api_keys_deleted AFTER DELETE ON api_keys FOR EACH ROW
    EXECUTE FUNCTION usersync_announce_access_change();
CREATE TRIGGER organizations_changed AFTER UPDATE OR DELETE ON organizations FOR EACH ROW
    EXECUTE FUNCTION usersync_announce_access_change();
