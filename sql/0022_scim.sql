-- SCIM 2.0 (issue 12): identity providers (Entra ID provisioning, Okta) push users and groups
-- to a base URL per organization with bearer tokens of their own. A SCIM token reaches only the
-- SCIM routes of its organization; only the SHA-256 of the token is stored, like API keys.

CREATE TABLE scim_tokens (
    org_id        uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id            uuid NOT NULL,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    token_hash    bytea NOT NULL CHECK (length(token_hash) = 32),
    hint          text NOT NULL,
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, token_hash)
);

-- SCIM resources: `external_id` is the id UserSync gave the resource (the SCIM `id`); the
-- identity provider's own `externalId` is kept beside it.
ALTER TABLE directory_users
    ADD COLUMN idp_external_id text,
    ADD COLUMN given_name text,
    ADD COLUMN family_name text,
    ADD COLUMN emails jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN version bigint NOT NULL DEFAULT 1;
ALTER TABLE directory_groups
    ADD COLUMN idp_external_id text,
    ADD COLUMN version bigint NOT NULL DEFAULT 1;
-- userName is unique per organization, compared without case (RFC 7643 §4.1.1 caseExact false).
CREATE UNIQUE INDEX directory_users_scim_user_name ON directory_users (org_id, lower(user_name)) WHERE source = 'scim';
CREATE INDEX directory_users_scim_external_id ON directory_users (org_id, idp_external_id) WHERE source = 'scim';
CREATE UNIQUE INDEX directory_groups_scim_display_name ON directory_groups (org_id, lower(display_name)) WHERE source = 'scim';
CREATE INDEX directory_group_members_by_user ON directory_group_members (org_id, source, external_user_id);

ALTER TABLE scim_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE scim_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scim_tokens USING (org_id = usersync_current_org()) WITH CHECK (org_id = usersync_current_org());
GRANT SELECT, INSERT, UPDATE, DELETE ON scim_tokens TO usersync_app;
