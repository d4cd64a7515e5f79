#!/usr/bin/env bash
# Builds Yunwei (the web UI, then the binary that embeds it) and starts the demo: a server on a
# fresh temporary data directory filled with the demo dataset (the 14 units and 30 systems of an
# Anyang procurement document). Extra arguments go to `yunwei demo`, e.g. --listen 0.0.0.0:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/web.sh
source scripts/web.sh
npm_install web
(cd web && npm run --silent build)
cargo build --release -p yunwei
exec ./target/release/yunwei demo "$@"
