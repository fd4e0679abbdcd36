#!/usr/bin/env bash
# Starts Debian's PostgreSQL cluster for the test suite and prints the admin URL the tests use.
# initdb/pg_ctl refuse to run as root: Debian's pg_ctlcluster runs the server as `postgres`.
# Exit status 3 when no server can be started here (the caller decides what that means).
set -uo pipefail
PASSWORD=ivo-tests
command -v pg_lsclusters >/dev/null || { echo "pg_lsclusters absent" >&2; exit 3; }
cluster=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
  [ -n "$version" ] || { echo "aucune version de PostgreSQL installée" >&2; exit 3; }
  pg_createcluster "$version" main >/dev/null || exit 3
  cluster="$version main"
fi
set -- $cluster
pg_ctlcluster "$1" "$2" start >/dev/null 2>&1 || pg_lsclusters --no-header | grep -q online || exit 3
port=$(pg_lsclusters --no-header | awk -v v="$1" -v c="$2" '$1==v && $2==c {print $3}')
for _ in $(seq 1 30); do
  su postgres -c "psql -p $port -qtAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -p $port -qc \"ALTER USER postgres PASSWORD '$PASSWORD'\"" >/dev/null || exit 3
echo "postgresql://postgres:$PASSWORD@127.0.0.1:$port/postgres"
