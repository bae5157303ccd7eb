#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for development and tests.
#
#   tests/lib/pg.sh start DIR   start a server on a free port, create the
#                               reactbin role and database, write DIR/env
#                               (export DATABASE_URL=...) and print it
#   tests/lib/pg.sh stop DIR    stop that server (by its pid) and remove it
#   tests/lib/pg.sh down DIR    stop that server (by its pid), keep its data
#   tests/lib/pg.sh up DIR      start it again after down, on the same port
#
# As root the server runs as the 'postgres' user, which PostgreSQL requires;
# its files then live in a directory of their own under /tmp that this
# user can reach (DIR's parents may not be), recorded in DIR/base.
set -euo pipefail

PG_USER=reactbin
PG_DB=reactbin
START_WAIT_SECONDS=30

die() { echo "pg.sh: $*" >&2; exit 1; }

# shellcheck source=tests/lib/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

pg_bindir() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
	done
	die "no PostgreSQL server binaries under /usr/lib/postgresql"
}

# Run a command as the server's owner.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

start() {
	local state=$1 dir bin port password
	bin=$(pg_bindir)
	mkdir -p "$state"
	[ -e "$state/base" ] && die "$state holds a server already; stop it first"

	dir=$(mktemp -d /tmp/reactbin-pg.XXXXXX)
	echo "$dir" >"$state/base"
	mkdir -p "$dir/data" "$dir/run"
	if [ "$(id -u)" -eq 0 ]; then
		chown -R postgres: "$dir"
	fi
	chmod 700 "$dir/data"

	port=$(free_port) || die "no free port found"
	password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')

	as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust \
	    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
	    { cat "$dir/initdb.log" >&2; die "initdb failed"; }

	# Small and quick: the tests need a real server, not a tuned one.
	cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/run'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 128MB
logging_collector = off
CONF
	# Password authentication over TCP, as in production.
	cat >"$dir/data/pg_hba.conf" <<HBA
local all postgres trust
host all all 127.0.0.1/32 scram-sha-256
HBA

	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
	    -w -t "$START_WAIT_SECONDS" start >/dev/null ||
	    { tail -n 20 "$dir/server.log" >&2; die "server did not start"; }

	as_owner "$bin/psql" -h "$dir/run" -p "$port" -U postgres -qAt \
	    -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL
CREATE ROLE $PG_USER LOGIN PASSWORD '$password';
CREATE DATABASE $PG_DB OWNER $PG_USER;
SQL

	head -n 1 "$dir/data/postmaster.pid" >"$state/pid"
	{
		echo "export DATABASE_URL=postgresql://$PG_USER:$password@127.0.0.1:$port/$PG_DB"
		echo "export PGPORT_TEST=$port"
		echo "export PGHOST_TEST=$dir/run"
	} >"$state/env"
	cat "$state/env"
}

stop() {
	local state=$1 dir pid
	[ -f "$state/base" ] || return 0
	dir=$(cat "$state/base")
	if [ -f "$state/pid" ]; then
		pid=$(cat "$state/pid")
	else
		pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
	fi
	if [ -z "$pid" ]; then
		rm -rf "$dir" "$state"
		return 0
	fi

	halt "$pid"
	rm -rf "$dir" "$state"
}

# Stop the server with this pid and wait until it is gone.
halt() {
	local pid=$1 i
	# SIGINT is PostgreSQL's "fast shutdown".
	kill -INT "$pid" 2>/dev/null || true
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "pg.sh: server $pid ignored SIGINT for ${i}00 ms; killing" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
}

# Stop the server but keep its files, so that up can start it again (an
# outage, as far as its clients can tell).
down() {
	local state=$1 pid
	[ -f "$state/base" ] || die "$state holds no server"
	[ -f "$state/pid" ] || return 0
	pid=$(cat "$state/pid")
	[ -n "$pid" ] && halt "$pid"
	rm -f "$state/pid"
}

up() {
	local state=$1 dir bin
	[ -f "$state/base" ] || die "$state holds no server"
	if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then
		die "the server of $state is running already"
	fi
	dir=$(cat "$state/base")
	bin=$(pg_bindir)

	# The port is in postgresql.conf: the same one as before.
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
	    -w -t "$START_WAIT_SECONDS" start >/dev/null ||
	    { tail -n 20 "$dir/server.log" >&2; die "server did not start"; }
	head -n 1 "$dir/data/postmaster.pid" >"$state/pid"
}

case "${1:-}" in
start)	[ $# -eq 2 ] || die "usage: pg.sh start DIR"; start "$2" ;;
stop)	[ $# -eq 2 ] || die "usage: pg.sh stop DIR"; stop "$2" ;;
down)	[ $# -eq 2 ] || die "usage: pg.sh down DIR"; down "$2" ;;
up)	[ $# -eq 2 ] || die "usage: pg.sh up DIR"; up "$2" ;;
*)	die "usage: pg.sh start|stop|down|up DIR" ;;
esac
