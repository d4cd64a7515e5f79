#!/usr/bin/env bash
# Runs every check and test of the project: the web UI's lint, type check, unit tests and build;
# Rust formatting, lints, the OpenAPI drift checks and the whole test suite — on SQLite, and on
# PostgreSQL too when YUNWEI_TEST_PG_URL is set or a local PostgreSQL installation can host a
# throwaway server; then the browser journeys in Chromium against a real server.
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

# shellcheck source=scripts/web.sh
source scripts/web.sh

step "web: npm packages"
npm_install web
step "web: the generated API client matches openapi.json"
(cd web && npm run --silent check:api)
step "web: lint"
(cd web && npm run --silent lint)
step "web: type check"
(cd web && npm run --silent typecheck)
step "web: unit and component tests"
(cd web && npm run --silent test)
step "web: build (embedded by the binary)"
(cd web && npm run --silent build)

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

chromium=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
  step "browser journeys (Playwright, $chromium)"
  npm_install e2e
  target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  cargo build --quiet -p yunwei
  (cd e2e && CHROMIUM=$chromium YUNWEI_BIN="$target/debug/yunwei" npx playwright test)
elif [ "${CI:-}" = true ]; then
  echo "CI must have Chromium at $chromium for the browser journeys." >&2
  exit 1
else
  echo
  echo "Chromium is not installed here ($chromium): browser journeys skipped (CI runs them)."
fi
