#!/usr/bin/env bash
# A throwaway PostgreSQL for BizKeys' tests: installs it from Debian when missing, starts a private cluster on a free
# port as the unprivileged 'postgres' user (no systemd needed), and stops it again.
#   source scripts/postgres.sh; postgres_start   -> exports BIZKEYS_TEST_POSTGRES (a connection string)
#   postgres_stop                                 -> stops the cluster and deletes its files
# Used by scripts/test.sh; handy on its own for a local PostgreSQL to try BizKeys against.

postgres_bin() {
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$bin" ] && [ -x "$bin/initdb" ] && echo "$bin"
}

postgres_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

postgres_start() {
    if [ -z "$(postgres_bin)" ]; then
        echo "PostgreSQL is missing: installing it from Debian for the PostgreSQL tests (postgresql)..."
        apt_install postgresql
    fi
    local bin port dir
    bin="$(postgres_bin)"
    port="$(postgres_free_port)"
    dir="$(mktemp -d /tmp/bizkeys-pg.XXXXXX)"
    local run_as=()
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$dir"
        run_as=(runuser -u postgres --)
    fi
    "${run_as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-locale -E UTF8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log"; return 1; }
    "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null || { cat "$dir/server.log"; return 1; }
    export BIZKEYS_TEST_POSTGRES_DIR="$dir"
    export BIZKEYS_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres"
    echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$port (throwaway cluster in $dir)"
}

postgres_stop() {
    [ -n "${BIZKEYS_TEST_POSTGRES_DIR:-}" ] || return 0
    local run_as=()
    [ "$(id -u)" = 0 ] && run_as=(runuser -u postgres --)
    "${run_as[@]}" "$(postgres_bin)/pg_ctl" -D "$BIZKEYS_TEST_POSTGRES_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$BIZKEYS_TEST_POSTGRES_DIR"
    unset BIZKEYS_TEST_POSTGRES_DIR BIZKEYS_TEST_POSTGRES
}
