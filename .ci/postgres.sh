#!/usr/bin/env bash
# Makes PostgreSQL reachable on 127.0.0.1:5432 with the login role the tests use (webhooks/webhooks, CREATEDB:
# every test fixture creates and drops its own database). Idempotent; run as root on Debian 12.
# Server settings (below) are changed only with --tune, or when this run installed PostgreSQL or created the
# cluster itself: a server someone already had is started as it is, never reconfigured behind their back.
set -euo pipefail

tune=0
for arg in "$@"; do
  case "$arg" in
    --tune) tune=1 ;;
    *) echo "usage: $0 [--tune]" >&2; exit 2 ;;
  esac
done

version="${PG_VERSION:-15}"
cluster="${PG_CLUSTER:-main}"
port=5432
ready_timeout_seconds="${PG_READY_TIMEOUT:-60}"

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "== installing postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y postgresql
  tune=1
fi

# The Debian package creates the default cluster itself, unless the machine's postgresql-common says not to.
if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { found = 1 } END { exit !found }'; then
  echo "== creating cluster $version/$cluster"
  pg_createcluster "$version" "$cluster" --port "$port"
  tune=1
fi

wait_ready() {
  local deadline=$((SECONDS + ready_timeout_seconds))
  until pg_isready -q -h 127.0.0.1 -p "$port"; do
    if ((SECONDS >= deadline)); then
      echo "PostgreSQL $version/$cluster is not accepting connections on 127.0.0.1:$port after ${ready_timeout_seconds}s" >&2
      pg_lsclusters >&2 || true
      exit 1
    fi
    sleep 0.2
  done
}

if ! pg_ctlcluster "$version" "$cluster" status >/dev/null 2>&1; then
  echo "== starting cluster $version/$cluster"
  pg_ctlcluster "$version" "$cluster" start
fi

wait_ready

# Root cannot use peer authentication as postgres, hence runuser; cd / keeps psql from warning about $PWD.
cd /

# Server settings for this workload (written with ALTER SYSTEM, applied by one restart when any differs):
# - max_connections: every silo holds several pools (Orleans' ADO.NET providers and ours), and tests run
#   three-silo clusters, some as separate processes; the default of 100 is not enough.
# - shared_buffers, max_wal_size, checkpoint_timeout: the durable mode writes every event and delivery; the
#   defaults (128 MB, 1 GB, 5 min) make a long run checkpoint constantly and write each page twice.
declare -A settings=(
  [max_connections]=300
  [shared_buffers]=1GB
  [max_wal_size]=8GB
  [checkpoint_timeout]=15min
)
changed=0
for name in "${!settings[@]}"; do
  if ((!tune)); then
    break
  fi
  want="${settings[$name]}"
  # SHOW answers in the units these values are written in (300, 1GB, 8GB, 15min).
  have="$(runuser -u postgres -- psql -X -tA -p "$port" -d postgres -c "SHOW $name")"
  if [ "$have" != "$want" ]; then
    echo "== setting $name = $want (was $have)"
    runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres -c "ALTER SYSTEM SET $name = '$want'"
    changed=1
  fi
done
if ((changed)); then
  echo "== restarting $version/$cluster for the new settings"
  pg_ctlcluster "$version" "$cluster" restart
  wait_ready
fi

runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres <<'SQL'
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'webhooks') THEN
        CREATE ROLE webhooks LOGIN PASSWORD 'webhooks' CREATEDB;
    END IF;
END
$$;
-- Tests and benchmarks drop their databases WITH (FORCE), which must also end autovacuum workers on them.
GRANT pg_signal_backend TO webhooks;
SQL

echo "== postgres ready on 127.0.0.1:$port (role webhooks)"
