#!/usr/bin/env bash
# The probe runner at scale (issue 7): N HTTP monitors at 1 s on loopback, N = 1,000 and 10,000
# by default. Targets run in their own process so the runner's CPU and memory are its own.
# Prints one table row per N for docs/benchmarks.md.
# Usage: bench/monitors.sh [seconds] [N ...]    (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
sizes=("${@:-1000 10000}")
cargo build --release -p bench-monitors
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target/release/bench-monitors
"$bin" targets --base 21000 --ports 100 &
targets=$!
trap 'kill $targets 2>/dev/null || true' EXIT
sleep 1
echo "| monitors | checks/s | failures | skipped | CPU s per 1,000 checks | RSS MiB | peak RSS MiB | lag p50 ms | lag p99 ms | lag max ms |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in ${sizes[@]}; do
  "$bin" run --monitors "$n" --base 21000 --ports 100 --seconds "$secs"
done
