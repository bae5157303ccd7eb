#!/usr/bin/env bash
# GET /metrics: Prometheus' text format as promtool reads it, values that
# must move by exactly what happened (a 404, a failed login, an upload's
# bytes, its storage calls), one scrape that counts both workers, a
# killed worker's restart, the queues measured by their own ticks, the
# 403 to an address outside METRICS_ALLOWED_IPS, and a bad
# METRICS_ALLOWED_IPS refused at start-up.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/http.sh
. "$here/../lib/http.sh"
# shellcheck source=tests/lib/service.sh
. "$here/../lib/service.sh"
# shellcheck source=tests/lib/fixtures.sh
. "$here/../lib/fixtures.sh"

need_tools promtool jq curl python3

# How long a value that must move may take (a scrape can reach the other
# worker before the request's own has counted it).
MOVE_WAIT_SECONDS=5
# The sweeper looks every 5 s, derive.c every 2 s.
QUEUE_WAIT_SECONDS=20
# A killed worker is back within a second or so.
RESTART_WAIT_SECONDS=15

unset METRICS_ALLOWED_IPS
export REACTBIN_WORKERS=2

# Logins through 127.0.0.2, a trusted proxy, on behalf of an address no
# other test (nor another run on the same database) uses: its lock stays
# its own.
PROXY=127.0.0.2
LOCKED_CLIENT="2001:db8::$(od -An -N2 -tx2 /dev/urandom | tr -d ' '):$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
LOCK_AFTER=2

instance_pids=()
cleanup() {
	service_stop_each "${instance_pids[@]}"
}
trap cleanup EXIT

start() {
	service_start "$@" || { echo "Bail out! reactbin ($1) did not start"; exit 1; }
	instance_pids+=("$REACTBIN_PID")
}

# scrape: GET /metrics into SCRAPE (its body), from 127.0.0.1.
scrape() {
	request GET /metrics "$@"
	SCRAPE=$HTTP_BODY
}

# value NAME [LABEL=VALUE...]: the sum of the samples of NAME in SCRAPE
# whose labels include all those given (0 when there are none).
VALUE_PY='
import re, sys
name, want = sys.argv[1], sys.argv[2:]
line_re = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$")
label_re = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\]|\\.)*)\"")
total = 0
for line in sys.stdin:
    m = line_re.match(line.rstrip("\n"))
    if not m or m.group(1) != name:
        continue
    labels = dict(label_re.findall(m.group(3) or ""))
    if all(labels.get(k) == v for k, v in (w.split("=", 1) for w in want)):
        total += float(m.group(4))
print(int(total) if total == int(total) else total)
'
value() {
	python3 -c "$VALUE_PY" "$@" <<<"$SCRAPE"
}

# moves_by LABEL DELTA BEFORE NAME [LABEL=VALUE...]: scrape until the value
# is no longer BEFORE (or the wait is over), then it must be BEFORE+DELTA.
moves_by() {
	local label=$1 delta=$2 before=$3 now i
	shift 3
	for i in $(seq 1 $((MOVE_WAIT_SECONDS * 10))); do
		scrape
		now=$(value "$@")
		[ "$now" != "$before" ] && break
		sleep 0.1
	done
	is "$now" "$((before + delta))" "$label"
}

start metrics "LOGIN_MAX_FAILURES=$LOCK_AFTER" "LOGIN_TRUSTED_PROXY_IPS=$PROXY/32"

# --- The format ---------------------------------------------------------------

scrape
is "$HTTP_STATUS" 200 "GET /metrics from 127.0.0.1 answers 200 (loopback by default)"
is "$(header content-type)" "text/plain; version=0.0.4; charset=utf-8" \
    "Content-Type is the text exposition format 0.0.4"
lint=$(promtool check metrics <<<"$SCRAPE" 2>&1)
ok $? "promtool check metrics passes on a scrape"
is "$lint" "" "promtool has nothing to say about it"
like "$SCRAPE" 'reactbin_build_info\{version="dev",revision="unknown"\} 1' \
    "build info: the version and revision of a module built outside the image"

# --- Values that move ---------------------------------------------------------

scrape
before=$(value reactbin_http_requests_total route=fallback status=404)
request GET /api/v1/no-such-thing
is "$HTTP_STATUS" 404 "an unknown path answers 404"
moves_by "a 404 raises the fallback route's 404 counter by exactly one" 1 \
    "$before" reactbin_http_requests_total route=fallback status=404
count=$(value reactbin_http_request_duration_seconds_count route=fallback)
is "$count" "$(value reactbin_http_requests_total route=fallback)" \
    "the fallback route's latency histogram counts each of its requests"

before=$(value reactbin_login_failures_total)
request POST /api/v1/auth/login -H 'content-type: application/json' \
    -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"wrong-$OWNER_PASSWORD\"}"
is "$HTTP_STATUS" 401 "a wrong password answers 401"
moves_by "a failed login raises login failures by exactly one" 1 "$before" \
    reactbin_login_failures_total

# bad_login: a wrong password from LOCKED_CLIENT, through the proxy.
bad_login() {
	request POST /api/v1/auth/login --interface "$PROXY" \
	    -H "X-Forwarded-For: $LOCKED_CLIENT" -H 'content-type: application/json' \
	    -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"wrong-$OWNER_PASSWORD\"}"
}
scrape
failures_before=$(value reactbin_login_failures_total)
locks_before=$(value reactbin_login_locks_total)
refused_before=$(value reactbin_login_refused_total)
for i in $(seq 1 "$LOCK_AFTER"); do
	bad_login
done
is "$HTTP_STATUS" 401 "$LOCKED_CLIENT: failure $LOCK_AFTER answers 401, and locks it"
bad_login
is "$HTTP_STATUS" 429 "$LOCKED_CLIENT: the next login answers 429"
moves_by "a login refused while locked raises the refusals by one" 1 \
    "$refused_before" reactbin_login_refused_total
is "$(value reactbin_login_locks_total)" "$((locks_before + 1))" \
    "the lock raises login locks by one"
is "$(value reactbin_login_failures_total)" "$((failures_before + LOCK_AFTER))" \
    "the $LOCK_AFTER failures before it raise login failures by $LOCK_AFTER"

scrape
waits_before=$(value reactbin_db_queue_wait_seconds_count)
token=$(login_token)
[ -n "$token" ] || { echo "Bail out! no token"; exit 1; }
scrape
waits=$(value reactbin_db_queue_wait_seconds_count)
ok "$([ "$waits" -gt "$waits_before" ]; echo $?)" \
    "a login's query is counted in the database queue waits ($waits_before, then $waits)"
open=$(value reactbin_db_connections_open)
max=$(value reactbin_db_connections_max)
ok "$([ "$open" -ge 1 ] && [ "$open" -le "$max" ]; echo $?)" \
    "pool use: $open connections open of at most $max"
is "$max" 16 "two workers may hold 8 connections each"
FIXTURE_DIR="$REACTBIN_TEST_TMP/metrics-files"
mkdir -p "$FIXTURE_DIR"
file="$FIXTURE_DIR/upload.png"
fixture_png "$file"
size=$(stat -c %s "$file")

scrape
bytes_before=$(value reactbin_http_request_bytes_total route=reaction_upload)
puts_before=$(value reactbin_storage_calls_total operation=put)
uploads_before=$(value reactbin_http_requests_total route=reaction_upload status=201)
request POST '/api/v1/reactions?title=metrics&tags=metrics' \
    -H "Authorization: Bearer $token" -H 'content-type: application/octet-stream' \
    --data-binary "@$file"
is "$HTTP_STATUS" 201 "an upload of $size bytes answers 201"
moves_by "the upload route's 201 counter moves by one" 1 "$uploads_before" \
    reactbin_http_requests_total route=reaction_upload status=201
is "$(value reactbin_http_request_bytes_total route=reaction_upload)" \
    "$((bytes_before + size))" "bytes in grow by the upload's size, exactly"
puts=$(value reactbin_storage_calls_total operation=put)
ok "$([ "$puts" -gt "$puts_before" ]; echo $?)" \
    "storage calls: the upload's PUT is counted ($puts_before, then $puts)"
is "$(value reactbin_storage_call_duration_seconds_count operation=put)" "$puts" \
    "the PUT latency histogram counts each PUT"
out=$(value reactbin_http_response_bytes_total route=reaction_upload)
ok "$([ "$out" -gt 0 ]; echo $?)" "bytes out of the upload route are counted ($out)"

# --- Both workers in one scrape ---------------------------------------------

# Kore hands new connections to the worker holding its accept lock, which
# keeps it until it has taken worker_accept_threshold (16) in one go:
# requests one after another all land in one worker. As 30-lockout.t
# does: pause the worker that served the last request, let BURST new
# connections queue, let it go; it takes 16 and hands the lock on (and
# may take it back: BURST is room for several turns).
BURST=64
port=${REACTBIN_URL##*:}
burst="$REACTBIN_TEST_TMP/metrics-burst.curl"
: >"$burst"
for i in $(seq 1 "$BURST"); do
	[ "$i" -eq 1 ] || echo next >>"$burst"
	printf '%s\n' "url = \"$REACTBIN_URL/api/v1/health\"" \
	    "header = \"Connection: close\"" "output = \"/dev/null\"" \
	    "max-time = 30" >>"$burst"
done
workers=0
for round in $(seq 1 8); do
	request GET /api/v1/health -H "X-Request-Id: metrics-holder-$round"
	service_log_wait " request_id=metrics-holder-$round "
	holder=$(grep " request_id=metrics-holder-$round " "$REACTBIN_OUT" |
	    grep -o ' pid=[0-9]*' | cut -d= -f2)
	paused=
	if [ -n "$holder" ] && [ "$(awk '{print $4}' "/proc/$holder/stat" 2>/dev/null)" = "$REACTBIN_PID" ]; then
		kill -STOP "$holder" && paused=$holder
	fi
	curl --no-progress-meter --parallel --parallel-immediate \
	    --parallel-max "$BURST" -K "$burst" 2>/dev/null &
	spread=$!
	for _ in $(seq 1 200); do
		n=$(ss -Htn state established "( dport = :$port )" | wc -l)
		[ "$n" -ge "$BURST" ] && break
		sleep 0.05
	done
	[ -n "$paused" ] && kill -CONT "$paused"
	wait "$spread"
	scrape
	workers=$(grep -c '^reactbin_worker_requests_total{worker="[0-9]*"} [1-9]' <<<"$SCRAPE")
	[ "$workers" -ge 2 ] && break
done
is "$workers" 2 "one scrape counts requests of both workers"
is "$(value reactbin_worker_requests_total)" \
    "$(value reactbin_http_requests_total)" \
    "the workers' requests add up to the routes' requests"
is "$(value reactbin_worker_restarts_total)" 0 "no worker has restarted yet"

# --- A worker dies --------------------------------------------------------------

scrape
requests_before=$(value reactbin_http_requests_total)
victim=$(pgrep -P "$REACTBIN_PID" | head -n 1)
kill -KILL "$victim"
restarts=0
for i in $(seq 1 $((RESTART_WAIT_SECONDS * 10))); do
	scrape
	restarts=$(value reactbin_worker_restarts_total)
	[ "$restarts" = 1 ] && break
	sleep 0.1
done
is "$restarts" 1 "a killed worker is counted as one restart"
requests_after=$(value reactbin_http_requests_total)
ok "$([ "$requests_after" -ge "$requests_before" ]; echo $?)" \
    "the dead worker's counts stay in the instance's ($requests_before, then $requests_after)"

# --- The queues, measured by their ticks ----------------------------------------

seen=""
for i in $(seq 1 $((QUEUE_WAIT_SECONDS * 2))); do
	scrape
	seen=$(grep -c '^reactbin_queue_depth{queue="\(deletions\|derivatives\)"} [0-9]' <<<"$SCRAPE")
	[ "$seen" = 2 ] && break
	sleep 0.5
done
is "$seen" 2 "both queues' depths are measured by their modules' ticks"
like "$SCRAPE" 'reactbin_queue_oldest_age_seconds\{queue="derivatives"\} [0-9.]+' \
    "the derivative queue's oldest age is shown"
is "$(value reactbin_draining)" 0 "not draining"

# --- Who may scrape -------------------------------------------------------------

start metrics-closed "METRICS_ALLOWED_IPS=10.0.0.0/8, 127.0.0.2"
scrape
is "$HTTP_STATUS" 403 "METRICS_ALLOWED_IPS=10.0.0.0/8,127.0.0.2: 127.0.0.1 gets 403"
is "$(json .error.code)" forbidden "the 403 is the API's JSON error"
like "$(header content-type)" '^application/json' "the 403 is JSON"
scrape -H 'X-Forwarded-For: 10.1.2.3'
is "$HTTP_STATUS" 403 "an X-Forwarded-For from an untrusted peer does not let it in"
scrape --interface 127.0.0.2
is "$HTTP_STATUS" 200 "127.0.0.2, in the list, gets the metrics"

# --- A bad list stops start-up ---------------------------------------------------

dir="$REACTBIN_TEST_TMP/metrics-bad"
mkdir -p "$dir"
port=$(free_port)
service_config "$dir" "$port"
(cd "$REACTBIN_TOP" && exec env METRICS_ALLOWED_IPS=10.0.0.0/33 \
    timeout 20 kore -nrc "$dir/kore.conf") >"$dir/stdout" 2>"$dir/stderr"
rc=$?
isnt "$rc" 0 "METRICS_ALLOWED_IPS=10.0.0.0/33: kore exits non-zero"
isnt "$rc" 124 "METRICS_ALLOWED_IPS=10.0.0.0/33: at once, not after the timeout"
like "$(cat "$dir/stderr")" 'METRICS_ALLOWED_IPS: not a comma-separated list of CIDRs' \
    "METRICS_ALLOWED_IPS=10.0.0.0/33: stderr says which variable and why"

done_testing
