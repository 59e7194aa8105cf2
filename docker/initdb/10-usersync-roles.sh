#!/bin/sh
# Runs once, when the postgres container creates its database: the roles of README
# "Database roles". POSTGRES_USER (usersync_owner) owns the schema and runs `usersync migrate`;
# serve and work log in as usersync_service, which owns nothing and only has usersync_app's grants.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v service_password="$USERSYNC_SERVICE_PASSWORD" <<'SQL'
CREATE ROLE usersync_app NOLOGIN NOBYPASSRLS;
CREATE ROLE usersync_service LOGIN NOBYPASSRLS PASSWORD :'service_password' IN ROLE usersync_app;
SQL
