#!/usr/bin/env bash
# Measures the release binary: size, start-up time to a ready server (fresh database with
# migrations, and an existing one), and resident memory when idle — for docs/benchmarks.md.
# Usage: bench/startup.sh [path/to/yunwei]   (default: target/release/yunwei; build it first)
set -euo pipefail
bin=${1:-target/release/yunwei}
[ -x "$bin" ] || { echo "build first: cargo build --release -p yunwei" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT

ms() { date +%s%3N; }
# Starts the server and sets $pid and $elapsed (ms until /readyz answers 200).
start_and_wait() {
  local t0
  t0=$(ms)
  YUNWEI_ADMIN_PASSWORD='Bench#2026' YUNWEI_LOG=warn "$bin" serve --data-dir "$dir" --listen "127.0.0.1:$port" \
    > /dev/null 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/readyz" > /dev/null; do sleep 0.005; done
  elapsed=$(( $(ms) - t0 ))
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }

echo "binary size:             $(du -b "$bin" | cut -f1) bytes ($(du -h "$bin" | cut -f1))"
start_and_wait
echo "start-up, fresh data:    $elapsed ms (migrations and the first administrator's argon2 hash)"
sleep 5
echo "idle RSS after 5 s:      $(ps -o rss= -p "$pid" | tr -d ' ') KiB"
stop
runs=()
for _ in 1 2 3 4 5; do
  start_and_wait
  runs+=("$elapsed")
  stop
done
echo "start-up, existing data: ${runs[*]} ms (5 runs)"
