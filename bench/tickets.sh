#!/usr/bin/env bash
# Tickets at scale (issue 5): writes N tickets (default 1 000 000) with a registry on SQLite and
# on a throwaway PostgreSQL (scripts/pg-temp.sh), measures the list and due-clock queries and the
# rate of ticket creation, and prints the tables for docs/benchmarks.md.
# Usage: bench/tickets.sh [tickets]    (builds the release binary first: several minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
cargo build --release -p bench-tickets
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target/release/bench-tickets
dir=$(mktemp -d /tmp/yunwei-bench-tickets.XXXXXX)
# shellcheck source=../scripts/pg-temp.sh
source scripts/pg-temp.sh
trap 'pg_stop; rm -rf "$dir"' EXIT

echo "== SQLite ($dir/bench.db)"
"$bin" --database-url "sqlite://$dir/bench.db?mode=rwc" --tickets "$n"
rm -f "$dir"/bench.db*

echo
echo "== PostgreSQL"
pg_start
"$PG_BIN/psql" -q "$YUNWEI_TEST_PG_URL" -c 'CREATE DATABASE bench'
"$bin" --database-url "${YUNWEI_TEST_PG_URL%/postgres}/bench" --tickets "$n"
