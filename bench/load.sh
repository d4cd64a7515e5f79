#!/usr/bin/env bash
# Mixed load on the demo (issue 15): `yunwei demo` on a fresh SQLite file (or, with `pg`, on a
# throwaway PostgreSQL), then bench-load: 100 clients without think time listing tickets, opening
# ticket pages, commenting and reporting new tickets, on the same machine. Prints the table for
# docs/benchmarks.md.
# With `backup-intake` as the fourth argument the clients are backup tools pushing runs instead.
# Usage: bench/load.sh [sqlite|pg] [seconds] [clients] [mixed|backup-intake]   (builds the release binaries first)
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
secs=${2:-30}
clients=${3:-100}
scenario=${4:-mixed}
target_dir=${CARGO_TARGET_DIR:-target}
cargo build --release -p yunwei -p bench-load
port=$((20000 + RANDOM % 10000))
log=$(mktemp /tmp/yunwei-load.XXXXXX.log)
if [ "$backend" = pg ]; then
  # shellcheck source=../scripts/pg-temp.sh
  source scripts/pg-temp.sh
  pg_start
  "$PG_BIN/psql" -q "$YUNWEI_TEST_PG_URL" -c 'CREATE DATABASE load'
  export YUNWEI_DATABASE_URL="${YUNWEI_TEST_PG_URL%/postgres}/load"
fi
YUNWEI_LOG=warn "$target_dir/release/yunwei" demo --listen "127.0.0.1:$port" >"$log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  if [ "$backend" = pg ]; then pg_stop; fi
  rm -f "$log"
}
trap cleanup EXIT
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.1
done
"$target_dir/release/bench-load" --base "http://127.0.0.1:$port" --clients "$clients" --seconds "$secs" --scenario "$scenario"
echo "server peak RSS: $(grep VmHWM /proc/$server/status | awk '{print $2/1024 " MiB"}')"
