#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite, on 127.0.0.1 and a free port.
#
#   scripts/pg-test-cluster.sh start [DIR]   # initdb + pg_ctl start; prints the SQLAlchemy URL
#   scripts/pg-test-cluster.sh stop DIR      # pg_ctl stop, then DIR is removed
#
# DIR defaults to a new temporary folder (named on stderr, for `stop`). The cluster
# is for tests only: fsync is off (a crash of the machine may lose it, which is
# fine for a cluster that is deleted afterwards), and its superuser `kcrm` has a
# random password known only to the printed URL. initdb refuses to run as root, so
# as root the server runs as the `postgres` user (or a `kcrmtest` system user
# created for it).
set -euo pipefail

usage() {
    echo "usage: $0 start [DIR] | stop DIR" >&2
    exit 2
}

pg_bin() {
    # Debian installs the server outside PATH; take the newest installed version.
    local dir
    if command -v initdb >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v initdb)")"
        return
    fi
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -z "$dir" || ! -x "$dir/initdb" ]]; then
        echo "error: PostgreSQL server binaries (initdb, pg_ctl) not found" >&2
        exit 1
    fi
    echo "$dir"
}

run_user() {
    # The unprivileged account the server runs as when we are root.
    if id -u postgres >/dev/null 2>&1; then
        echo postgres
        return
    fi
    if ! id -u kcrmtest >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin kcrmtest
    fi
    echo kcrmtest
}

as_owner() {
    # Run a command as the cluster's owner (ourselves unless we are root).
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u "$(stat -c %U "$DIR")" -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 - <<'EOF'
import socket

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
EOF
}

start() {
    local bin port password
    bin=$(pg_bin)
    if [[ -z "${DIR:-}" ]]; then
        DIR=$(mktemp -d "${TMPDIR:-/tmp}/kcrm-pg.XXXXXX")
        echo "cluster folder: $DIR (stop with: $0 stop $DIR)" >&2
    fi
    mkdir -p "$DIR"
    chmod 700 "$DIR"
    if [[ $(id -u) -eq 0 ]]; then
        chown "$(run_user)" "$DIR"
    fi
    password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    (umask 077 && printf '%s\n' "$password" >"$DIR/pwfile")
    [[ $(id -u) -eq 0 ]] && chown "$(stat -c %U "$DIR")" "$DIR/pwfile"
    # C locale: string order is byte order, as on SQLite, so tests sort alike on both.
    as_owner "$bin/initdb" -D "$DIR/data" -U kcrm --pwfile="$DIR/pwfile" \
        --auth=scram-sha-256 -E UTF8 --locale=C >"$DIR/initdb.log" 2>&1 || {
        cat "$DIR/initdb.log" >&2
        exit 1
    }
    rm -f "$DIR/pwfile"
    # A port can be taken between the probe and the start: try a few.
    for _ in 1 2 3 4 5; do
        port=$(free_port)
        if as_owner "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start -o \
            "-c listen_addresses=127.0.0.1 -p $port -k $DIR -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
             -c shared_buffers=128MB" >/dev/null; then
            echo "$port" >"$DIR/port"
            echo "postgresql+psycopg://kcrm:${password}@127.0.0.1:${port}/postgres"
            return
        fi
    done
    echo "error: the server did not start; see $DIR/server.log" >&2
    tail -n 20 "$DIR/server.log" >&2 || true
    exit 1
}

stop() {
    local bin
    bin=$(pg_bin)
    [[ -n "${DIR:-}" && -d "$DIR" ]] || usage
    if [[ -f "$DIR/data/postmaster.pid" ]]; then
        as_owner "$bin/pg_ctl" -D "$DIR/data" -m fast -w -t 60 stop >/dev/null || true
    fi
    rm -rf "$DIR"
}

[[ $# -ge 1 ]] || usage
DIR=${2:-}
case "$1" in
start) start ;;
stop) stop ;;
*) usage ;;
esac
