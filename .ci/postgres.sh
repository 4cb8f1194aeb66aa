#!/usr/bin/env bash
# Makes PostgreSQL reachable on 127.0.0.1:5432 with the login role the tests use (webhooks/webhooks, CREATEDB:
# every test fixture creates and drops its own database). Idempotent; run as root on Debian 12.
set -euo pipefail

version="${PG_VERSION:-15}"
cluster="${PG_CLUSTER:-main}"
port=5432
ready_timeout_seconds="${PG_READY_TIMEOUT:-60}"

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "== installing postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y postgresql
fi

# The Debian package creates the default cluster itself, unless the machine's postgresql-common says not to.
if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { found = 1 } END { exit !found }'; then
  echo "== creating cluster $version/$cluster"
  pg_createcluster "$version" "$cluster" --port "$port"
fi

if ! pg_ctlcluster "$version" "$cluster" status >/dev/null 2>&1; then
  echo "== starting cluster $version/$cluster"
  pg_ctlcluster "$version" "$cluster" start
fi

deadline=$((SECONDS + ready_timeout_seconds))
until pg_isready -q -h 127.0.0.1 -p "$port"; do
  if ((SECONDS >= deadline)); then
    echo "PostgreSQL $version/$cluster is not accepting connections on 127.0.0.1:$port after ${ready_timeout_seconds}s" >&2
    pg_lsclusters >&2 || true
    exit 1
  fi
  sleep 0.2
done

# Root cannot use peer authentication as postgres, hence runuser; cd / keeps psql from warning about $PWD.
cd /

# Every silo holds several connection pools (Orleans' ADO.NET providers and our own) and tests run clusters of
# three silos, some as separate processes: the default of 100 connections is not enough.
min_connections=300
current="$(runuser -u postgres -- psql -X -tA -p "$port" -d postgres -c 'SHOW max_connections')"
if ((current < min_connections)); then
  echo "== raising max_connections from $current to $min_connections (restart)"
  runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres -c "ALTER SYSTEM SET max_connections = $min_connections"
  pg_ctlcluster "$version" "$cluster" restart
  deadline=$((SECONDS + ready_timeout_seconds))
  until pg_isready -q -h 127.0.0.1 -p "$port"; do
    if ((SECONDS >= deadline)); then
      echo "PostgreSQL $version/$cluster did not come back after the restart" >&2
      exit 1
    fi
    sleep 0.2
  done
fi
runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres <<'SQL'
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'webhooks') THEN
        CREATE ROLE webhooks LOGIN PASSWORD 'webhooks' CREATEDB;
    END IF;
END
$$;
SQL

echo "== postgres ready on 127.0.0.1:$port (role webhooks)"
