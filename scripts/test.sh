#!/usr/bin/env bash
# Runs every check and test of the project: formatting, lints, the OpenAPI drift check, and the
# whole test suite — on SQLite, and on PostgreSQL too when YUNWEI_TEST_PG_URL is set or a local
# PostgreSQL installation can host a throwaway server.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

pg_stop() { :; }
if [ -z "${YUNWEI_TEST_PG_URL:-}" ]; then
  # shellcheck source=scripts/pg-temp.sh
  source scripts/pg-temp.sh
  if pg_start; then
    trap pg_stop EXIT
  else
    echo "PostgreSQL is not installed here: running the SQLite half only (CI runs both)."
  fi
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "openapi.json is current"
generated=$(mktemp)
cargo run --quiet -p yunwei -- openapi > "$generated"
if ! diff -q openapi.json "$generated" > /dev/null; then
  echo "openapi.json is out of date: run 'cargo run -p yunwei -- openapi > openapi.json' and commit it." >&2
  diff -u openapi.json "$generated" | head -40 >&2
  exit 1
fi

if [ -n "${YUNWEI_TEST_PG_URL:-}" ]; then step "cargo test (SQLite and PostgreSQL)"; else step "cargo test (SQLite)"; fi
cargo test --workspace --all-targets
cargo test --workspace --doc
