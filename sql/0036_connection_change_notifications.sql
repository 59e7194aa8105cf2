-- `serve` and `work` keep the platform connections the relay read lately in memory
-- (ConnectionCache) and forget one the moment it changes: new credentials, a disconnect, a new
-- base URL or health. As for API keys (sql/0013), a trigger announces the change on
-- `usersync_access`, so a change from any process, the CLI or plain SQL is heard by all.
CREATE OR REPLACE FUNCTION usersync_announce_access_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('usersync_access',
        (CASE TG_TABLE_NAME WHEN 'api_keys' THEN 'key:' WHEN 'platform_connections' THEN 'connection:' ELSE 'org:' END) || OLD.id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER platform_connections_changed AFTER UPDATE ON platform_connections FOR EACH ROW
    WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION usersync_announce_access_change();
CREATE TRIGGER platform_connections_deleted AFTER DELETE ON platform_connections FOR EACH ROW
    EXECUTE FUNCTION usersync_announce_access_change();
