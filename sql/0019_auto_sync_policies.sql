-- Auto Sync policies as the product defines them (issue 12): where the group's membership comes
-- from, a priority for people in several groups, whether leaving removes syncs, whether the
-- policy's primary replaces an admin's choice, and a removal hold by count and by share.
-- Syncs remember the policy that made them: only those are removed when a member leaves.

ALTER TABLE auto_sync_policies DROP CONSTRAINT auto_sync_policies_org_id_directory_group_id_key;
ALTER TABLE auto_sync_policies RENAME COLUMN unsync_threshold_percent TO hold_over_percent;
ALTER TABLE auto_sync_policies
    ALTER COLUMN hold_over_percent DROP NOT NULL,
    ADD COLUMN group_source text NOT NULL DEFAULT 'scim' CHECK (group_source IN ('entra', 'scim')),
    ADD COLUMN group_connection_id uuid,
    ADD COLUMN group_display_name text,
    ADD COLUMN priority integer NOT NULL DEFAULT 100 CHECK (priority BETWEEN 1 AND 1000),
    ADD COLUMN removes_on_leave boolean NOT NULL DEFAULT true,
    ADD COLUMN overrides_admin_primary boolean NOT NULL DEFAULT false,
    ADD COLUMN hold_over_count integer DEFAULT 25 CHECK (hold_over_count >= 0),
    ADD CONSTRAINT auto_sync_policies_group_connection
        CHECK ((group_source = 'entra') = (group_connection_id IS NOT NULL)),
    ADD CONSTRAINT auto_sync_policies_group_connection_fkey
        FOREIGN KEY (org_id, group_connection_id) REFERENCES platform_connections (org_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT auto_sync_policies_one_per_group UNIQUE (org_id, group_source, directory_group_id);
ALTER TABLE auto_sync_policies ALTER COLUMN group_source DROP DEFAULT;

-- Policies are listed in the order they apply: priority, then age.
CREATE INDEX auto_sync_policies_by_priority ON auto_sync_policies (org_id, priority, created_at, id);

ALTER TABLE syncs
    ADD COLUMN auto_sync_policy_id uuid,
    ADD CONSTRAINT syncs_auto_sync_policy_fkey
        FOREIGN KEY (org_id, auto_sync_policy_id) REFERENCES auto_sync_policies (org_id, id)
        ON DELETE SET NULL (auto_sync_policy_id);
CREATE INDEX syncs_by_auto_sync_policy ON syncs (org_id, auto_sync_policy_id) WHERE auto_sync_policy_id IS NOT NULL;
