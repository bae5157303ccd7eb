#!/usr/bin/env bash
# Database outages: with PostgreSQL gone the service stays up, says so on
# /ready and with 503 database_unavailable, and when the database is back
# it recovers by itself, every pooled connection included.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/http.sh
. "$here/../lib/http.sh"
# shellcheck source=tests/lib/service.sh
. "$here/../lib/service.sh"
# shellcheck source=tests/lib/private.sh
. "$here/../lib/private.sh"

pg=$here/../lib/pg.sh
pg_state="$REACTBIN_TEST_TMP/database-pg"
export REACTBIN_WORKERS=2

cleanup() {
	service_stop TERM
	private_stop
}
trap cleanup EXIT

# A PostgreSQL of our own, to take away and bring back.
private_pg "$pg_state" "$REACTBIN_TEST_TMP/database-pg.log"

service_start database || { echo "Bail out! reactbin did not start"; exit 1; }
kore_pid=$REACTBIN_PID

creds="{\"username\":\"$OWNER_USERNAME\",\"password\":\"$OWNER_PASSWORD\"}"
login() {
	request POST /api/v1/auth/login -H 'content-type: application/json' -d "$creds"
}

# burst N TAG: N logins at once, each on its own connection, so that the
# workers open several pooled database connections; prints the statuses
# as "COUNTxSTATUS" lines.
burst() {
	login_burst "$1" "$2" "$REACTBIN_TEST_TMP/database" 30
}

workers() { pgrep -P "$kore_pid" | sort | tr '\n' ' '; }

# Kore's parent notes every worker that exits or is restarted.
worker_deaths() {
	grep -cE 'exited with status|\) gone|restarting worker|died' "$REACTBIN_OUT" "$REACTBIN_ERR" |
	    awk -F: '{ n += $NF } END { print n + 0 }'
}

# --- before -----------------------------------------------------------------

login
is "$HTTP_STATUS" 200 "login answers 200 with the database up"
token=$(json .access_token)
request GET /api/v1/ready
is "$HTTP_STATUS" 200 "ready answers 200 with the database up"
is "$(burst 16 warm)" 16x200 "16 concurrent logins answer 200 (and fill the connection pools)"

# How many connections the service holds open (as PostgreSQL sees them).
backends() {
	psql -h "$PGHOST_TEST" -p "$PGPORT_TEST" -U postgres -d postgres -qAt \
	    -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'reactbin'" 2>/dev/null
}
n=$(backends)
ok "$([ "${n:-0}" -ge 2 ]; echo $?)" "the service holds several database connections (${n:-none})"

workers_before=$(workers)
ok "$([ -n "$workers_before" ]; echo $?)" "the workers are running ($workers_before)"
deaths_before=$(worker_deaths)

# --- the database goes away -------------------------------------------------

"$pg" down "$pg_state"
ok $? "PostgreSQL stopped"

request GET /api/v1/health
is "$HTTP_STATUS $(json .status)" "200 ok" "health still answers 200 ok"

request GET /api/v1/ready
is "$HTTP_STATUS" 503 "ready answers 503"
like "$(header content-type)" '^application/json' "ready's 503 is JSON"
is "$(json .status)" unavailable "ready says unavailable"
is "$(json .checks.database)" error "ready's checks say database: error"
is "$(json .checks.storage)" ok "and storage: ok"

login
is "$HTTP_STATUS" 503 "login answers 503"
is "$(json .error.code)" database_unavailable "login's code is database_unavailable"
like "$(header content-type)" '^application/json' "login's 503 is JSON"
is "$(json .access_token)" null "and carries no token"

statuses=
for _ in $(seq 1 10); do
	login
	statuses="$statuses$HTTP_STATUS "
done
is "$statuses" "$(printf '503 %.0s' $(seq 1 10))" "ten more logins in a row each answer 503"
is "$(burst 16 outage)" 16x503 "16 concurrent logins each answer 503"

request GET /api/v1/ready
is "$HTTP_STATUS $(json .checks.database)" "503 error" "ready still answers 503 with database: error"

request GET /api/v1/auth/me -H "Authorization: Bearer $token"
is "$HTTP_STATUS" 200 "a token issued before the outage still works on /auth/me"

alive=1
state=$(sed 's/^.*) //' "/proc/$kore_pid/stat" 2>/dev/null | cut -d' ' -f1)
[ -n "$state" ] && [ "$state" != Z ] && alive=0
ok "$alive" "the kore process is still running"
is "$(workers)" "$workers_before" "the same worker processes are running"
is "$(worker_deaths)" "$deaths_before" "no worker exited or was restarted"

# --- the database comes back ------------------------------------------------

"$pg" up "$pg_state"
ok $? "PostgreSQL started again"

# Recovery must not need a restart: retry for a bounded while.
for _ in $(seq 1 20); do
	login
	[ "$HTTP_STATUS" = 200 ] && break
	sleep 0.5
done
is "$HTTP_STATUS" 200 "login answers 200 again within 10 s"

for _ in $(seq 1 20); do
	request GET /api/v1/ready
	[ "$HTTP_STATUS" = 200 ] && break
	sleep 0.5
done
is "$HTTP_STATUS $(json .status)" "200 ready" "ready answers 200 again within 10 s"

statuses=
for _ in $(seq 1 5); do
	login
	statuses="$statuses$HTTP_STATUS "
done
is "$statuses" "200 200 200 200 200 " "five logins in a row answer 200"
is "$(burst 16 after)" 16x200 "16 concurrent logins answer 200 (every pooled connection works)"

statuses=
for _ in $(seq 1 10); do
	login
	statuses="$statuses$HTTP_STATUS "
done
is "$statuses" "$(printf '200 %.0s' $(seq 1 10))" "ten more logins in a row answer 200"

# --- a restart of the database while the service is idle -------------------
#
# Nothing asks the database while it is away, so every pooled connection
# is one the server has dropped by the time it is back.

is "$(burst 16 refill)" 16x200 "16 concurrent logins answer 200 (the pools fill again)"
n=$(backends)
ok "$([ "${n:-0}" -ge 2 ]; echo $?)" "the service holds several database connections (${n:-none})"
"$pg" down "$pg_state" && "$pg" up "$pg_state"
ok $? "PostgreSQL restarted, with no request in between"

first=
for i in $(seq 1 20); do
	login
	first="$first$HTTP_STATUS "
	[ "$HTTP_STATUS" = 200 ] && break
	sleep 0.5
done
is "$HTTP_STATUS" 200 "login answers 200 within 10 s"
diag "logins until then: $first"
# Pooled connections the restart left dead are re-dialled before use, so
# not even the first request after the restart fails.
is "${first%% *}" 200 "the first login after the restart answers 200"
statuses=
for _ in $(seq 1 5); do
	login
	statuses="$statuses$HTTP_STATUS "
done
is "$statuses" "200 200 200 200 200 " "then five logins in a row answer 200"
is "$(burst 16 idle-after)" 16x200 "and 16 concurrent logins answer 200"

is "$(workers)" "$workers_before" "still the same worker processes"
is "$(worker_deaths)" "$deaths_before" "no worker exited or was restarted"

done_testing
