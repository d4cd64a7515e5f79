#!/usr/bin/env bash
# The server side of monitoring at scale (issue 7): N HTTP monitors at 1 s created through the
# application, probed by the server's runner, results written by its consumer, on SQLite and on
# a throwaway PostgreSQL (when installed). Prints one table row per database and N for
# docs/benchmarks.md.
# Usage: bench/monitors-server.sh [seconds] [N ...]    (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-180}
shift || true
sizes=("${@:-1000 10000}")
cargo build --release -p bench-monitors
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target/release/bench-monitors
work=$(mktemp -d /tmp/yunwei-bench-server.XXXXXX)
"$bin" targets --base 22000 --ports 100 > /dev/null &
targets=$!
source scripts/pg-temp.sh
trap 'kill $targets 2>/dev/null || true; pg_stop; rm -rf "$work"' EXIT
pg_start > /dev/null || echo "PostgreSQL is not installed: SQLite only." >&2
sleep 1
echo "| database | monitors | checks/s | written/s | backlog | s between writes | write ms (mean) | write ms (max) | rows/s | CPU s per 1,000 checks | PostgreSQL CPU s per 1,000 | RSS MiB | peak RSS MiB | mean lag ms | database growth MiB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in ${sizes[@]}; do
  "$bin" server --database "sqlite://$work/bench-$n.db?mode=rwc" --monitors "$n" --base 22000 --ports 100 --seconds "$secs"
  if [ -n "${YUNWEI_TEST_PG_URL:-}" ]; then
    db="bench_$n"
    psql_url="${YUNWEI_TEST_PG_URL%/postgres}"
    "$PG_BIN/psql" -q "$YUNWEI_TEST_PG_URL" -c "CREATE DATABASE $db" > /dev/null
    "$bin" server --database "$psql_url/$db" --monitors "$n" --base 22000 --ports 100 --seconds "$secs"
  fi
done
