-- Directory membership for Auto Sync (issue 12): the users and groups an identity provider
-- pushes over SCIM, or Microsoft Graph reports for Entra groups, stored as they arrive. A run
-- reads a policy's group members joined with their users (email, active) and plans from them.
-- The placeholder membership table of 0006 was never written; it is replaced.

DROP TABLE directory_group_members;

CREATE TABLE directory_users (
    org_id            uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source            text NOT NULL CHECK (source IN ('entra', 'scim')),
    external_id       text NOT NULL,
    user_name         text,
    email_normalized  text,
    display_name      text,
    -- A user disabled in the directory counts as having left every group.
    active            boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, source, external_id)
);
CREATE INDEX directory_users_by_email ON directory_users (org_id, email_normalized);

CREATE TABLE directory_groups (
    org_id         uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source         text NOT NULL CHECK (source IN ('entra', 'scim')),
    group_id       text NOT NULL,
    display_name   text,
    -- entra: the Teams connection Graph is read through, and where its delta query stands.
    connection_id  uuid,
    delta_link     text,
    synced_at      timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, source, group_id),
    FOREIGN KEY (org_id, connection_id) REFERENCES platform_connections (org_id, id) ON DELETE CASCADE
);

-- A member may arrive before its user (a Graph delta names members by id), so no key to users.
CREATE TABLE directory_group_members (
    org_id            uuid NOT NULL,
    source            text NOT NULL,
    group_id          text NOT NULL,
    external_user_id  text NOT NULL,
    added_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, source, group_id, external_user_id),
    FOREIGN KEY (org_id, source, group_id) REFERENCES directory_groups (org_id, source, group_id) ON DELETE CASCADE
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['directory_users', 'directory_groups', 'directory_group_members'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (org_id = usersync_current_org()) '
            'WITH CHECK (org_id = usersync_current_org())', t);
    END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON directory_users, directory_groups, directory_group_members TO usersync_app;
