#!/usr/bin/env bash
# Measures the release binary: size, start-up time to a ready server (a fresh data directory:
# migrations and the first administrator's argon2 hash; and an existing one), and resident memory
# once idle (a fresh start keeps the first administrator's argon2 buffer) — for docs/benchmarks.md. The machine may be shared with other work, so every figure
# is the median of several runs (all of them are printed too); each fresh start gets its own
# data directory.
# Usage: bench/startup.sh [runs] [path/to/yunwei]
#   runs: default 7; yunwei: default the workspace's release build (cargo build --release -p yunwei)
#   SETTLE=seconds: how long the server idles before its memory is read (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin=${2:-$target/release/yunwei}
settle=${SETTLE:-10}
[ -x "$bin" ] || { echo "build first: cargo build --release -p yunwei" >&2; exit 1; }
work=$(mktemp -d /tmp/yunwei-startup.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT

ms() { date +%s%3N; }
median() { tr ' ' '\n' | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# Starts the server on data directory $1, on a port it binds itself (read from its log), and
# sets $pid and $elapsed: milliseconds from launch until /readyz answers 200.
starts=0
start_and_wait() {
  local dir=$1 t0 addr= log
  starts=$((starts + 1))
  log=$work/start-$starts.log
  : > "$log"
  t0=$(ms)
  YUNWEI_ADMIN_PASSWORD='Bench#2026' YUNWEI_LOG='warn,yunwei=info' YUNWEI_LOG_FORMAT=json \
    "$bin" serve --data-dir "$dir" --listen 127.0.0.1:0 > /dev/null 2> "$log" &
  pid=$!
  until [ -n "$addr" ]; do
    kill -0 "$pid" 2> /dev/null || { cat "$log" >&2; exit 1; }
    addr=$(grep '"yunwei is listening"' "$log" | grep -o '"addr":"[^"]*"' | cut -d'"' -f4 || true)
    [ -n "$addr" ] || sleep 0.002
  done
  until curl -sf "http://$addr/readyz" > /dev/null; do sleep 0.005; done
  elapsed=$(( $(ms) - t0 ))
  # CPU the server used to get there (user + system, in clock ticks): what a busy machine
  # stretches the wall time by does not count here.
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$pid/stat")
}
stop() { kill "$pid"; wait "$pid" 2> /dev/null || true; pid=; }

fresh=() fresh_cpu=() rss=() again=() again_cpu=() again_rss=()
for i in $(seq "$runs"); do
  start_and_wait "$work/fresh-$i"
  fresh+=("$elapsed")
  fresh_cpu+=("$cpu")
  sleep "$settle"
  rss+=("$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")")
  stop
done
for _ in $(seq "$runs"); do
  start_and_wait "$work/fresh-1"
  again+=("$elapsed")
  again_cpu+=("$cpu")
  sleep "$settle"
  again_rss+=("$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")")
  stop
done

echo "binary size:                   $(du -b "$bin" | cut -f1) bytes ($(du -h "$bin" | cut -f1))"
echo "start-up, fresh data (median): $(echo "${fresh[*]}" | median) ms   runs: ${fresh[*]}"
echo "  CPU to ready (median):       $(echo "${fresh_cpu[*]}" | median) ms   runs: ${fresh_cpu[*]}"
echo "start-up, existing (median):   $(echo "${again[*]}" | median) ms   runs: ${again[*]}"
echo "  CPU to ready (median):       $(echo "${again_cpu[*]}" | median) ms   runs: ${again_cpu[*]}"
mib() { median | awk '{printf "%.1f", $1 / 1024}'; }
echo "idle VmRSS ${settle} s after a fresh start (median): $(echo "${rss[*]}" | mib) MiB   runs (KiB): ${rss[*]}"
echo "idle VmRSS ${settle} s after a restart (median):     $(echo "${again_rss[*]}" | mib) MiB   runs (KiB): ${again_rss[*]}"
