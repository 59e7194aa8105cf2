# Sourced by scripts/test and scripts/demo: a throwaway PostgreSQL cluster for this run.
#
#   start_throwaway_postgres   initdb + pg_ctl on a free loopback port, data in a temp dir;
#                              sets PG_ADMIN_URL (superuser), PG_PORT; stopped and removed on exit.
#   prepare_roles URL          creates usersync_app, usersync_owner and usersync_service if missing.
#   psql_admin URL SQL...      runs SQL as the admin URL's role.

source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

PG_DIR=""
PG_BIN=""

find_postgres() {
  local candidate
  for candidate in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" \
                   $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then PG_BIN="$candidate"; return 0; fi
  done
  return 1
}

ensure_postgres() {
  if find_postgres && command -v psql >/dev/null; then return 0; fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL server binaries (initdb, pg_ctl) or psql were not found; install PostgreSQL 15 or set USERSYNC_TEST_ADMIN_URL." >&2
    return 1
  fi
  echo "Installing PostgreSQL from Debian's packages..." >&2
  apt_install postgresql postgresql-client
  find_postgres
}

# postgres refuses to run as root: run its binaries as the postgres user then.
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Below Linux's ephemeral range (32768+), where a client connection's local port can take a port
# nothing listens on.
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}

stop_throwaway_postgres() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    PG_DIR=""
  fi
}

start_throwaway_postgres() {
  ensure_postgres
  PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/usersync-pg.XXXXXX")
  chmod 755 "$PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$PG_DIR"; fi
  as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  # Durability is not needed for a throwaway cluster; speed is. PG_EXTRA_OPTIONS adds server
  # options for a diagnostic run (e.g. "-c shared_preload_libraries=pg_stat_statements"). A port taken between the check and
  # the start (another process got there first) is tried again with another.
  local attempt
  for attempt in 1 2 3 4 5; do
    PG_PORT=$(free_port)
    if as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 start \
      -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 ${PG_EXTRA_OPTIONS:-}" \
      >/dev/null; then
      break
    fi
    if [ "$attempt" -eq 5 ] || ! grep -q "could not bind\|could not create any TCP/IP sockets" "$PG_DIR/postgres.log"; then
      cat "$PG_DIR/postgres.log" >&2
      return 1
    fi
    : >"$PG_DIR/postgres.log"
  done
  PG_ADMIN_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
  export PG_ADMIN_URL PG_PORT
}

psql_admin() {
  local url=$1; shift
  psql "${url%%\?*}" -v ON_ERROR_STOP=1 -q -X "$@"
}

# The roles of README "Database roles": usersync_app (the grants, made by migration 0001 when
# missing), usersync_owner (owns the schema, runs migrate) and usersync_service (serve/work log in
# as it; owns nothing; member of usersync_app only).
prepare_roles() {
  psql_admin "$1" <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'usersync_app') THEN
    CREATE ROLE usersync_app NOLOGIN NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'usersync_owner') THEN
    CREATE ROLE usersync_owner LOGIN NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'usersync_service') THEN
    CREATE ROLE usersync_service LOGIN NOBYPASSRLS IN ROLE usersync_app;
  END IF;
END
$$;
SQL
}

# url_with_database URL DB [USER]: the same server, another database (and role).
url_with() {
  local url=$1 db=$2 user=${3:-}
  local rest=${url#postgres://}
  local creds=${rest%%@*} hostpart=${rest#*@}
  local host=${hostpart%%/*} query=""
  case "$url" in *\?*) query="?${url#*\?}" ;; esac
  if [ -n "$user" ]; then creds=$user; fi
  echo "postgres://$creds@$host/$db$query"
}
