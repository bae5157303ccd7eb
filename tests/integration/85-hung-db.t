#!/usr/bin/env bash
# A database host that hangs: it accepts TCP connections and never
# answers (a proxy of the test's own in front of PostgreSQL plays it,
# tests/lib/db-proxy.py). While it hangs, health keeps answering at once
# while requests that need the database run in parallel, those requests
# answer 503 database_unavailable within a few seconds, no worker dies,
# and once the host answers again the service recovers by itself.
#
# Three ways into the hang:
#   1. under the pooled connections, which stop getting answers mid-query
#   2. with the pooled connections cut, so every one must be dialled anew
#   3. in a worker that starts while the host hangs (it never connected)
#
# The two bounds are far from what a working service takes (milliseconds)
# and far below what a blocked event loop costs: a blocking dial waits
# for libpq's connect_timeout (5 s), and a query nobody answers, forever.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/http.sh
. "$here/../lib/http.sh"
# shellcheck source=tests/lib/service.sh
. "$here/../lib/service.sh"
# shellcheck source=tests/lib/wait.sh
. "$here/../lib/wait.sh"
# shellcheck source=tests/lib/private.sh
. "$here/../lib/private.sh"

need_tools python3 jq curl

proxy=$here/../lib/db-proxy.py
pg_state="$REACTBIN_TEST_TMP/hung-db-pg"
work=$(mktemp -d "$REACTBIN_TEST_TMP/hung-db.XXXXXX")
# One worker: every request shares its event loop, so a stall shows on
# every health answer, not on the share one worker would take.
export REACTBIN_WORKERS=1

# Every health answer, and every database answer while the host hangs,
# must come within these (milliseconds).
HEALTH_MAX_MS=1000
DB_ANSWER_MAX_MS=5000
# How long each hang lasts, and how many request loops need the database
# meanwhile (logins and lists, one after another in each loop).
HANG_SECONDS=8
DB_LOOPS=4
# Caps of the bounded waits: curl's per request, the recovery's, the
# proxy's switches and a worker's restart (tenths), the proxy's lifetime.
CURL_MAX_SECONDS=20
RECOVERY_SECONDS=10
SWITCH_TENTHS=50
RESTART_TENTHS=300
PROXY_SECONDS=900
BURST=16

proxy_pid=
cleanup() {
	service_stop TERM
	# Only if it is still our child (no pid reused since).
	[ -z "$proxy_pid" ] ||
	    [ "$(ps -o ppid= -p "$proxy_pid" 2>/dev/null | tr -d ' ')" != $$ ] ||
	    kill "$proxy_pid" 2>/dev/null
	private_stop
}
trap cleanup EXIT

# --- a PostgreSQL of our own, behind the proxy ---------------------------------

private_pg "$pg_state" "$work/pg.log"
proxy_port=$(free_port) || { echo "Bail out! no free port"; exit 1; }
python3 "$proxy" "$proxy_port" "$PGPORT_TEST" "$PROXY_SECONDS" "$work/proxy.state" \
    2>"$work/proxy.err" &
proxy_pid=$!
wait_for "$SWITCH_TENTHS" test -s "$work/proxy.state" ||
    { echo "Bail out! the proxy did not start"; exit 1; }
proxied_url=$(sed -E "s|:$PGPORT_TEST/|:$proxy_port/|" <<<"$DATABASE_URL")
[ "$proxied_url" != "$DATABASE_URL" ] ||
    { echo "Bail out! cannot point DATABASE_URL at the proxy"; exit 1; }

# proxy_switch SIGNAL MODE: signal the proxy and wait until it has
# switched (its state counts the switches).
switches=0
proxy_switch() {
	switches=$((switches + 1))
	kill -"$1" "$proxy_pid"
	wait_for "$SWITCH_TENTHS" grep -q "^$2 $switches " "$work/proxy.state"
}

service_start hung-db "DATABASE_URL=$proxied_url" ||
    { echo "Bail out! reactbin did not start"; exit 1; }
kore_pid=$REACTBIN_PID

creds="{\"username\":\"$OWNER_USERNAME\",\"password\":\"$OWNER_PASSWORD\"}"
login() {
	request POST /api/v1/auth/login -H 'content-type: application/json' -d "$creds"
}
owner_login

workers() { pgrep -P "$kore_pid" | sort | tr '\n' ' '; }
# Kore's parent notes every worker that exits or is restarted.
worker_deaths() {
	grep -cE 'exited with status|\) gone|restarting worker|died' "$REACTBIN_OUT" "$REACTBIN_ERR" |
	    awk -F: '{ n += $NF } END { print n + 0 }'
}

# burst N TAG: N logins at once, each on its own connection; prints the
# statuses as "COUNTxSTATUS" words.
burst() {
	login_burst "$1" "$2" "$work" "$CURL_MAX_SECONDS" | tr '\n' ' '
}

# timed OUT ARGS...: one request; appends "status ms curl-exit error-code"
# to OUT (error-code "-" when the body names none).
timed() {
	local out=$1 body meta code
	shift
	body=$(mktemp "$work/body.XXXXXX")
	meta=$(curl -s -o "$body" --max-time "$CURL_MAX_SECONDS" \
	    -w '%{http_code} %{time_total} %{exitcode}' "$@" 2>/dev/null)
	code=$(jq -r '.error.code // "-"' "$body" 2>/dev/null)
	rm -f "$body"
	awk -v c="${code:--}" '{ printf "%s %d %s %s\n", $1, $2 * 1000, $3, c }' \
	    <<<"$meta" >>"$out"
}

# health_loop OUT SECONDS: health, one request after another.
health_loop() {
	local end=$((SECONDS + $2))
	while [ "$SECONDS" -lt "$end" ]; do
		timed "$1" "$REACTBIN_URL/api/v1/health"
		sleep 0.05
	done
}

# db_loop OUT SECONDS: a login and a list, over and over.
db_loop() {
	local end=$((SECONDS + $2))
	while [ "$SECONDS" -lt "$end" ]; do
		timed "$1" -X POST -H 'content-type: application/json' -d "$creds" \
		    "$REACTBIN_URL/api/v1/auth/login"
		timed "$1" -H "Authorization: Bearer $token" \
		    "$REACTBIN_URL/api/v1/reactions?limit=5"
	done
}

# during_hang TAG: the health loop and DB_LOOPS database loops at once for
# HANG_SECONDS (each request still running then is waited for), then the
# checks of what they got.
during_hang() {
	local tag=$1 dir="$work/$1" i pids=() n slow worst bad
	mkdir -p "$dir"
	: >"$dir/health"
	: >"$dir/db"
	for i in $(seq 1 "$DB_LOOPS"); do
		db_loop "$dir/db" "$HANG_SECONDS" &
		pids+=($!)
	done
	health_loop "$dir/health" "$HANG_SECONDS"
	wait "${pids[@]}"

	n=$(wc -l <"$dir/health")
	worst=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$dir/health")
	diag "$tag: $n health answers, the slowest in $worst ms"
	bad=$(awk '$1 != 200' "$dir/health" | wc -l)
	is "$bad" 0 "$tag: every health request answered 200 ($n)"
	slow=$(awk -v max="$HEALTH_MAX_MS" '$2 >= max' "$dir/health" | wc -l)
	is "$slow" 0 "$tag: every health answer came within $HEALTH_MAX_MS ms (slowest $worst ms)"

	n=$(wc -l <"$dir/db")
	worst=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$dir/db")
	diag "$tag: $n database requests: $(awk '{ print $1 "/" $4 }' "$dir/db" |
	    sort | uniq -c | awk '{ printf "%sx%s ", $1, $2 }')slowest $worst ms"
	ok "$([ "$n" -gt 0 ]; echo $?)" "$tag: requests that need the database ran ($n)"
	bad=$(awk '$1 != 503 || $4 != "database_unavailable"' "$dir/db" | wc -l)
	is "$bad" 0 "$tag: each answered 503 database_unavailable"
	slow=$(awk -v max="$DB_ANSWER_MAX_MS" '$2 >= max' "$dir/db" | wc -l)
	is "$slow" 0 "$tag: each within $DB_ANSWER_MAX_MS ms (slowest $worst ms)"
}

login_ok() { login; [ "$HTTP_STATUS" = 200 ]; }

# recovered TAG: after the host answers again, logins and lists succeed
# within RECOVERY_SECONDS, and so does a burst of logins.
recovered() {
	local tag=$1 t0
	t0=$SECONDS
	wait_secs "$RECOVERY_SECONDS" login_ok
	is "$HTTP_STATUS" 200 "$tag: a login answers 200 within $RECOVERY_SECONDS s of the host answering again"
	diag "$tag: login answered 200 after $((SECONDS - t0)) s"
	request GET "/api/v1/reactions?limit=5" -H "Authorization: Bearer $token"
	is "$HTTP_STATUS" 200 "$tag: a list answers 200"
	is "$(burst "$BURST" "$tag-burst")" "${BURST}x200 " "$tag: $BURST concurrent logins answer 200"
}

is "$(burst "$BURST" warm)" "${BURST}x200 " "$BURST concurrent logins answer 200 (the pool is filled)"
workers_before=$(workers)
deaths_before=$(worker_deaths)

# --- 1. the host hangs under the pooled connections ----------------------------

proxy_switch USR1 hang
ok $? "the database host hangs (established connections get no answers)"
during_hang established
proxy_switch USR2 pass
ok $? "the database host answers again"
recovered established

# --- 2. the pooled connections are cut, new ones hang ---------------------------

proxy_switch USR1 hang && proxy_switch HUP hang
ok $? "the database host hangs, and the pooled connections are cut"
during_hang cut
proxy_switch USR2 pass
ok $? "the database host answers again"
recovered cut

is "$(workers)" "$workers_before" "the same worker is running"
is "$(worker_deaths)" "$deaths_before" "no worker exited or was restarted"

# --- 3. a worker starts while the host hangs ------------------------------------

proxy_switch USR1 hang && proxy_switch HUP hang
ok $? "the database host hangs, and the pooled connections are cut"
old_worker=$(workers)
# shellcheck disable=SC2086 # one pid, or none (then kill fails)
kill -KILL $old_worker
new_worker() {
	local w
	w=$(workers)
	[ -n "$w" ] && [ "$w" != "$old_worker" ] &&
	    curl -fs -o /dev/null --max-time 1 "$REACTBIN_URL/api/v1/health"
}
wait_for "$RESTART_TENTHS" new_worker
ok $? "the killed worker was restarted and answers health"
workers_before=$(workers)
deaths_before=$(worker_deaths)
during_hang restarted
proxy_switch USR2 pass
ok $? "the database host answers again"
recovered restarted

is "$(workers)" "$workers_before" "the restarted worker is still running"
is "$(worker_deaths)" "$deaths_before" "no worker exited or was restarted since"

done_testing
