#!/usr/bin/env bash
# Sign-in under a flood (issue 14): starts the release server on a fresh SQLite data directory,
# floods it with sign-ins for unknown names and prints the answers, the server's peak resident
# memory, how soon a valid sign-in from the same address succeeds, and the time of a wrong
# password for a known and an unknown name.
# Usage: bench/login-flood.sh [N] [THREADS] [spread]   (builds the release binary first; needs
# python3; `spread`: every request from its own address, so only the bound on checks holds)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p yunwei
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
work=$(mktemp -d /tmp/yunwei-bench-login.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
password='Bench#2026x'
YUNWEI_ADMIN_PASSWORD=$password YUNWEI_LOG=warn "$target/release/yunwei" serve \
  --listen "127.0.0.1:$port" --data-dir "$work" --trusted-proxies 127.0.0.1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break; sleep 0.1; done
python3 bench/login-flood.py "http://127.0.0.1:$port" "$server" "$password" "${1:-600}" "${2:-200}" "${3:-}"
