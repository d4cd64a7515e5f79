# Sourced by scripts/test.sh and .ci/run: a throwaway PostgreSQL server on a free loopback port,
# in a temporary directory, with trust authentication for the local test user.
# pg_start exports YUNWEI_TEST_PG_URL; pg_stop removes everything.

pg_bin_dir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

pg_start() {
  local bin
  bin=$(pg_bin_dir) || return 1
  PG_TMP=$(mktemp -d /tmp/yunwei-pg.XXXXXX)
  local port tries=0
  local run=()
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root.
    chown postgres "$PG_TMP"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -D "$PG_TMP/data" -U yunwei --auth=trust --encoding=UTF8 --locale=C.UTF-8 > "$PG_TMP/initdb.log" 2>&1 \
    || { cat "$PG_TMP/initdb.log"; return 1; }
  # PostgreSQL binds its own port and cannot be handed a socket: a free port is found and let go,
  # so another process may take it first; then another port is tried.
  while :; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "${run[@]}" "$bin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w \
      -o "-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start > /dev/null \
      && break
    tries=$((tries + 1))
    if [ "$tries" -ge 5 ] || ! grep -q "could not bind" "$PG_TMP/server.log"; then
      cat "$PG_TMP/server.log"
      return 1
    fi
  done
  PG_RUN=("${run[@]}")
  PG_BIN=$bin
  export YUNWEI_TEST_PG_URL="postgres://yunwei@127.0.0.1:$port/postgres"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') running for the tests on port $port."
}

pg_stop() {
  [ -n "${PG_TMP:-}" ] || return 0
  "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m fast stop > /dev/null 2>&1 || true
  rm -rf "$PG_TMP"
}
