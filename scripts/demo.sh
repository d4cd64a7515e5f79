#!/usr/bin/env bash
# Builds Yunwei and starts the demo: a server on a fresh temporary data directory filled with the
# demo dataset (the 14 units and 30 systems of an Anyang procurement document). Extra arguments
# go to `yunwei demo`, e.g. --listen 0.0.0.0:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p yunwei
exec ./target/release/yunwei demo "$@"
