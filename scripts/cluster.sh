#!/usr/bin/env bash
# A local durable cluster in one command: N silo processes and one standalone gateway on loopback ports, sharing one
# PostgreSQL database (its role and database are created when missing).
#
#   scripts/cluster.sh start [N]   build, start N silos (default 3) and the gateway, wait until each is ready
#   scripts/cluster.sh status      readiness of each process
#   scripts/cluster.sh stop        SIGTERM every process and wait for it to exit
#
# Environment: WEBHOOKS_PG_HOST (127.0.0.1), WEBHOOKS_PG_PORT (5432), WEBHOOKS_PG_USER (webhooks),
# WEBHOOKS_PG_PASSWORD (webhooks), WEBHOOKS_PG_DATABASE (webhooks_local), WEBHOOKS_CLUSTER_DIR (where pids, logs and
# the connection-string file go; /tmp/webhooks-cluster). Creating the role and database needs a local superuser:
# run as root (runuser -u postgres) or with sudo rights; an existing role and database are used as they are.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${WEBHOOKS_CLUSTER_DIR:-/tmp/webhooks-cluster}"
pg_host="${WEBHOOKS_PG_HOST:-127.0.0.1}"
pg_port="${WEBHOOKS_PG_PORT:-5432}"
pg_user="${WEBHOOKS_PG_USER:-webhooks}"
pg_password="${WEBHOOKS_PG_PASSWORD:-webhooks}"
pg_database="${WEBHOOKS_PG_DATABASE:-webhooks_local}"
cluster_id="webhooks-local"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

ensure_database() {
  if PGPASSWORD="$pg_password" psql -X -q -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$pg_database" -c "SELECT 1" >/dev/null 2>&1; then
    return
  fi
  echo "== creating role $pg_user and database $pg_database"
  (cd / && as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$pg_port" -d postgres \
    -v role="$pg_user" -v password="$pg_password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'role', :'password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SQL
  )
  if ! (cd / && as_postgres psql -X -tA -p "$pg_port" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$pg_database'") | grep -q 1; then
    (cd / && as_postgres createdb -p "$pg_port" -O "$pg_user" "$pg_database")
  fi
}

wait_ready() { # name url
  local deadline=$((SECONDS + 90))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$2/readyz" || true)" = 200 ]; do
    if ((SECONDS >= deadline)); then
      echo "$1 is not ready after 90 s; its log: $dir/$1.log" >&2
      tail -20 "$dir/$1.log" >&2
      exit 1
    fi
    sleep 0.5
  done
}

start() {
  local silos="${1:-3}"
  if ls "$dir"/*.pid >/dev/null 2>&1; then
    echo "a cluster is already running from $dir; stop it first" >&2
    exit 1
  fi
  mkdir -p "$dir"
  ensure_database
  echo "== building"
  dotnet build -c Release -v q --nologo "$root/src/Silo/Silo.csproj" >/dev/null
  dotnet build -c Release -v q --nologo "$root/src/Gateway/Gateway.csproj" >/dev/null

  # The password stays out of the process list: the processes read the connection string from this file.
  local secret="$dir/connection-string"
  umask 077
  printf 'Host=%s;Port=%s;Username=%s;Password=%s;Database=%s' "$pg_host" "$pg_port" "$pg_user" "$pg_password" "$pg_database" > "$secret"
  # The key that seals definitions in the database: made once, kept with the cluster's files.
  local sealing="$dir/secrets-key"
  [ -s "$sealing" ] || head -c 32 /dev/urandom | base64 > "$sealing"
  local common=(--Storage:Provider=postgres "--Storage:ConnectionStringFile=$secret" "--Secrets:KeyFile=$sealing" "--Orleans:ClusterId=$cluster_id" "--Orleans:ServiceId=$cluster_id")

  printf '%-10s %-24s %-24s %-6s %s\n' process gRPC JSON/HTTP pid log
  for i in $(seq 1 "$silos"); do
    local name="silo$i" grpc="http://127.0.0.1:$((5100 + 10 * i))" http="http://127.0.0.1:$((5101 + 10 * i))"
    (cd "$root/src/Silo/bin/Release/net10.0" && exec dotnet Webhooks.Silo.dll "${common[@]}" \
      "--Orleans:SiloPort=$((11110 + i))" "--Orleans:GatewayPort=$((30000 + i))" \
      "--Gateway:GrpcUrl=$grpc" "--Gateway:HttpUrl=$http") >"$dir/$name.log" 2>&1 &
    echo $! >"$dir/$name.pid"
    echo "$http" >"$dir/$name.url"
    wait_ready "$name" "$http"
    printf '%-10s %-24s %-24s %-6s %s\n' "$name" "$grpc" "$http" "$(cat "$dir/$name.pid")" "$dir/$name.log"
  done

  local grpc="http://127.0.0.1:5000" http="http://127.0.0.1:5001"
  (cd "$root/src/Gateway/bin/Release/net10.0" && exec dotnet Webhooks.Gateway.dll "${common[@]}" \
    "--Gateway:GrpcUrl=$grpc" "--Gateway:HttpUrl=$http") >"$dir/gateway.log" 2>&1 &
  echo $! >"$dir/gateway.pid"
  echo "$http" >"$dir/gateway.url"
  wait_ready gateway "$http"
  printf '%-10s %-24s %-24s %-6s %s\n' gateway "$grpc" "$http" "$(cat "$dir/gateway.pid")" "$dir/gateway.log"
}

status() {
  for pid_file in "$dir"/*.pid; do
    [ -e "$pid_file" ] || { echo "no cluster running from $dir"; return; }
    local name url
    name="$(basename "$pid_file" .pid)"
    url="$(cat "$dir/$name.url")"
    printf '%-10s pid %-6s %s/readyz -> %s\n' "$name" "$(cat "$pid_file")" "$url" "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz" || true)"
  done
}

stop() {
  local pids=()
  for pid_file in "$dir"/*.pid; do
    [ -e "$pid_file" ] || { echo "no cluster running from $dir"; return; }
    local pid
    pid="$(cat "$pid_file")"
    kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
    rm -f "$pid_file"
  done
  # Each process stops within its Orleans:ShutdownTimeout (30 s).
  local deadline=$((SECONDS + 40))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do
      if ((SECONDS >= deadline)); then
        echo "pid $pid did not exit; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.2
    done
  done
  echo "stopped ${#pids[@]} processes (logs in $dir)"
}

case "${1:-}" in
  start) start "${2:-3}" ;;
  status) status ;;
  stop) stop ;;
  *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
