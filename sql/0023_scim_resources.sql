-- SCIM 2.0 resources (issue 12): what the /scim/v2/{org} endpoint keeps beyond 0022.
-- `name.formatted` is returned as the identity provider sent it, so it needs a column of its own
-- (0022 kept the given and family names only).
ALTER TABLE directory_users ADD COLUMN formatted_name text;

-- Entra and Okta may look groups up by their own id (`externalId eq "…"`), as they do users
-- (0022 indexed `directory_users.idp_external_id`).
CREATE INDEX directory_groups_scim_external_id ON directory_groups (org_id, idp_external_id) WHERE source = 'scim';
