#!/usr/bin/env bash
# Faults: what a user notices when the world around reactbin misbehaves.
#
#   1. PostgreSQL stops under load: 503 database_unavailable as JSON, never
#      a reset connection; health stays 200; no worker dies; recovery
#      without a restart; a pool kept busy for two sweeps loses no worker.
#   2. S3 stops: frozen (SIGSTOP, connected but silent) and refused (a
#      closed port): uploads 502/503 with no row left, deletes 204 with the
#      object removed once S3 is back, downloads 502/503; nothing hangs.
#   3. A worker killed mid-download, three times: the parent survives, the
#      worker is restarted, the client sees an error, not a hang.
#   4. SIGTERM under load: uploads in flight complete, exit 0 within 30 s.
#   5. Two instances start at once on a fresh database: one migration run,
#      one shared login lock.
#   6. Slowloris, oversized headers, 10,000 idle connections (run
#      while S3 is frozen in 2, to use the storage timeouts' half-minute).
#
# PostgreSQL and S3 are private to this script (they are stopped and
# frozen); everything listens on 127.0.0.1. Durations are reported as
# diagnostics, never asserted, except the contract's 30 s drain limit.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/http.sh
. "$here/../lib/http.sh"
# shellcheck source=tests/lib/service.sh
. "$here/../lib/service.sh"
# shellcheck source=tests/lib/todo.sh
. "$here/../lib/todo.sh"
# shellcheck source=tests/lib/wait.sh
. "$here/../lib/wait.sh"
# shellcheck source=tests/lib/private.sh
. "$here/../lib/private.sh"

need_tools convert psql jq wrk python3 sha256sum

pg=$here/../lib/pg.sh
hold=$here/../lib/hold-connections.py
pg_state="$REACTBIN_TEST_TMP/faults-pg"
s3_state="$REACTBIN_TEST_TMP/faults-s3"
work=$(mktemp -d "$REACTBIN_TEST_TMP/faults.XXXXXX")
export REACTBIN_WORKERS=2

EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
# Concurrency of the load while the database goes away.
LOAD_CONCURRENCY=20
LOAD_MAX_ROUNDS=300
# Every wait below is a bounded loop; these are its caps (in tenths of a
# second for the 0.1 s steps of wait_for, in seconds for wait_secs).
RECOVERY_SECONDS=5
SWEEP_SECONDS=30
GHOST_SECONDS=20
OUTAGE_PROBES=30
SETUP_TENTHS=100
EXIT_TENTHS=400
# Idle connections held open at once (the issue asks for 10,000), longer
# than the header timeout (10 s); opening them all takes a few seconds.
IDLE_CONNECTIONS=10000
IDLE_SECONDS=16
IDLE_SETUP_TENTHS=300
# The contract's drain limit, and the generous memory bound of the workers.
DRAIN_LIMIT_MS=30000
RSS_LIMIT_KB=$((200 * 1024))
# The slow download that a worker is killed in the middle of: curl's
# --limit-rate lets the first several megabytes through at once (socket
# buffers), so the file is large enough that this never completes it.
DOWNLOAD_BYTES=$((64 * 1024 * 1024))
DOWNLOAD_RATE=1M
KILL_ROUNDS=3
# Longer than two sweeps (5 s apart), on more connections than the two
# workers have pooled database connections (8 each).
SATURATE_CONNECTIONS=64
SATURATE_SECONDS=12

instances=()
helpers=()
rgw_pid=
cleanup() {
	local pid
	# Only the helpers still running as our children (no pid reused since).
	for pid in "${helpers[@]}"; do
		[ "$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ')" = $$ ] &&
		    kill "$pid" 2>/dev/null
	done
	[ -z "$rgw_pid" ] || kill -CONT "$rgw_pid" 2>/dev/null
	service_stop_each "${instances[@]}"
	private_stop
}
trap cleanup EXIT

# --- private servers ----------------------------------------------------------

private_pg "$pg_state" "$work/pg.log"
private_s3 "$s3_state" "$work/s3.log"
rgw=$(awk '$2 == "client.rgw" { print $1 }' "$s3_state/pids")

PSQL_URL=${DATABASE_URL/+asyncpg/}
sql() { psql "$PSQL_URL" -XAtq -v ON_ERROR_STOP=1 -c "$1" 2>/dev/null; }
# The server's superuser, over its Unix socket: for CREATE DATABASE.
su_sql() {
	psql -h "$PGHOST_TEST" -p "$PGPORT_TEST" -U postgres -d postgres \
	    -XAtq -v ON_ERROR_STOP=1 -c "$1"
}

# start NAME [VAR=value...]: an instance on the private servers; sets what
# service_start sets and remembers the pid for the cleanup.
start() {
	service_start "$@" || return 1
	instances+=("$REACTBIN_PID")
}

# stop_instance PID: SIGTERM it and wait (service_stop does both), and
# forget it.
stop_instance() {
	local pid=$1 i
	REACTBIN_PID=$pid service_stop TERM
	for i in "${!instances[@]}"; do
		[ "${instances[i]}" != "$pid" ] || unset 'instances[i]'
	done
}

creds="{\"username\":\"$OWNER_USERNAME\",\"password\":\"$OWNER_PASSWORD\"}"
login() {
	request POST /api/v1/auth/login -H 'content-type: application/json' -d "$creds"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
rand() { od -An -N6 -tx1 /dev/urandom | tr -d ' \n'; }

# alive PID: running, and not a zombie waiting for us to reap it.
alive() {
	local state
	state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$state" ] && [ "$state" != Z ]
}

workers_of() { pgrep -P "$1" | sort -n | tr '\n' ' ' | sed 's/ $//'; }

# Lines in which Kore's parent notes a worker that died or was restarted.
worker_deaths() {
	grep -cE 'exited with status|\) gone|restarting worker|died' "$1" |
	    awk '{ n += $1 } END { print n + 0 }'
}

# rss_kb PARENT: the workers' resident memory, summed, in kB.
rss_kb() {
	local pid total=0 kb
	for pid in $(pgrep -P "$1"); do
		kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		total=$((total + ${kb:-0}))
	done
	echo "$total"
}

# s3 METHOD KEY [curl args]: a signed request to the private bucket;
# prints the status.
s3() {
	local method=$1 key=$2
	shift 2
	curl -sS -o /dev/null -w '%{http_code}' -X "$method" --max-time 30 \
	    --aws-sigv4 "aws:amz:$S3_REGION:s3" \
	    --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" "$@" \
	    "$S3_ENDPOINT_URL/$S3_BUCKET_NAME/$key"
}

# bucket_has ID: 1 or 0 (is reactions/ID in the bucket), "error" when the
# listing failed. The '/' of the prefix is written %2F, as curl signs it.
bucket_has() {
	local listing
	listing=$(curl -sS --max-time 30 --aws-sigv4 "aws:amz:$S3_REGION:s3" \
	    --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" \
	    -H "x-amz-content-sha256: $EMPTY_SHA256" \
	    "$S3_ENDPOINT_URL/$S3_BUCKET_NAME?list-type=2&prefix=reactions%2F$1")
	case "$listing" in
	*"<ListBucketResult"*) grep -c "<Key>reactions/$1</Key>" <<<"$listing" ;;
	*) echo error ;;
	esac
}

# upload FILE: a raw upload; sets what request sets.
upload() {
	request POST /api/v1/reactions -H "Authorization: Bearer $token" \
	    -H 'content-type: application/octet-stream' --data-binary "@$1"
}

# fresh_png NAME [SIZE]: new random pixels (new bytes every call).
fresh_png() {
	convert -size "${2:-24x24}" xc: +noise Random -depth 8 "$work/$1.png" &&
	    echo "$work/$1.png"
}

# bg_request NAME METHOD PATH [curl args]: for a request run in the
# background: body, headers and "status seconds exitcode" go to
# $work/NAME.{body,headers,meta}.
bg_request() {
	local name=$1 method=$2 path=$3
	shift 3
	curl -sS -o "$work/$name.body" -D "$work/$name.headers" --max-time 60 \
	    -w '%{http_code} %{time_total} %{exitcode}' -X "$method" "$@" \
	    "$REACTBIN_URL$path" >"$work/$name.meta" 2>/dev/null
}
meta() { cut -d' ' -f"$2" "$work/$1.meta" 2>/dev/null; }
bg_json() { jq -r "$2" "$work/$1.body" 2>/dev/null; }
bg_type() {
	tr -d '\r' <"$work/$1.headers" 2>/dev/null |
	    awk -F': ' 'tolower($1) == "content-type" { print $2; exit }'
}

# probe_health COUNT PAUSE [COMMAND...]: ask for health COUNT times, PAUSE
# seconds apart, running COMMAND (sample_rss, say) after each answer; sets
# probed to the statuses, each followed by a space.
probe_health() {
	local count=$1 pause=$2
	shift 2
	probed=
	for _ in $(seq 1 "$count"); do
		request GET /api/v1/health
		probed="$probed$HTTP_STATUS "
		[ "$#" -eq 0 ] || "$@"
		sleep "$pause"
	done
}

# ==============================================================================
# 1. PostgreSQL stopped under load
# ==============================================================================

start faults || { echo "Bail out! reactbin did not start"; exit 1; }
main_pid=$REACTBIN_PID
main_url=$REACTBIN_URL
main_out=$REACTBIN_OUT
owner_login

upload "$(fresh_png load)"
[ "$HTTP_STATUS" = 201 ] || { echo "Bail out! fixture upload: $HTTP_STATUS"; exit 1; }
load_id=$(json .id)

# load_round DIR ROUND: LOAD_CONCURRENCY requests at once, each on its own
# connection (logins, lists, reads, health); one line per request:
# "status|curl exit code|output file|content type".
load_round() {
	local dir=$1 round=$2 cfg i body
	cfg="$dir/round-$round.curl"
	body=${creds//\\/\\\\}
	body=${body//\"/\\\"}
	: >"$cfg"
	for i in $(seq 1 "$LOAD_CONCURRENCY"); do
		[ "$i" -eq 1 ] || echo next >>"$cfg"
		case $((i % 4)) in
		0)
			printf '%s\n' "url = \"$REACTBIN_URL/api/v1/health\"" \
			    "output = \"$dir/$round-$i.health\"" ;;
		1)
			printf '%s\n' "url = \"$REACTBIN_URL/api/v1/auth/login\"" \
			    'header = "Content-Type: application/json"' \
			    "data = \"$body\"" "output = \"$dir/$round-$i.login\"" ;;
		2)
			printf '%s\n' "url = \"$REACTBIN_URL/api/v1/reactions?limit=5\"" \
			    "header = \"Authorization: Bearer $token\"" \
			    "output = \"$dir/$round-$i.list\"" ;;
		3)
			printf '%s\n' "url = \"$REACTBIN_URL/api/v1/reactions/$load_id\"" \
			    "header = \"Authorization: Bearer $token\"" \
			    "output = \"$dir/$round-$i.read\"" ;;
		esac >>"$cfg"
		printf '%s\n' \
		    'write-out = "%{http_code}|%{exitcode}|%{filename_effective}|%{content_type}\n"' \
		    "max-time = 30" >>"$cfg"
	done
	curl --no-progress-meter --parallel --parallel-immediate \
	    --parallel-max "$LOAD_CONCURRENCY" -K "$cfg" 2>/dev/null
}

# load_loop DIR: rounds until DIR/stop exists (at most LOAD_MAX_ROUNDS).
load_loop() {
	local dir=$1 round=0
	while [ ! -e "$dir/stop" ] && [ "$round" -lt "$LOAD_MAX_ROUNDS" ]; do
		round=$((round + 1))
		load_round "$dir" "$round" >>"$dir/results"
		sleep 0.1
	done
}

load_dir="$work/load"
mkdir -p "$load_dir"
deaths_before=$(worker_deaths "$main_out")
workers_before=$(workers_of "$main_pid")

load_loop "$load_dir" &
load_pid=$!
helpers+=("$load_pid")
wait_for "$SETUP_TENTHS" test -s "$load_dir/results"

"$pg" down "$pg_state"
ok $? "PostgreSQL stopped while $LOAD_CONCURRENCY requests at a time are running"

# Health, asked on its own while the database is away; six seconds, so
# that every worker's sweeper (every 5 s) runs into the outage too.
probe_health "$OUTAGE_PROBES" 0.2
health=$probed
login
outage_login="$HTTP_STATUS $(json .error.code)"

"$pg" up "$pg_state"
ok $? "PostgreSQL started again"
up_ms=$(now_ms)
tries=0
login_ok() {
	tries=$((tries + 1))
	login
	[ "$HTTP_STATUS" = 200 ]
}
wait_secs "$RECOVERY_SECONDS" login_ok
recovered_ms=$(($(now_ms) - up_ms))
is "$HTTP_STATUS" 200 "a login succeeds within 5 s of the database's return"
diag "login answered 200 ${recovered_ms} ms after pg_ctl start returned ($tries tries)"

# A few more rounds of load with the database back, then stop it.
sleep 1
touch "$load_dir/stop"
wait "$load_pid"

is "$outage_login" "503 database_unavailable" "a login during the outage: 503 database_unavailable"
is "$health" "$(printf '200 %.0s' $(seq 1 "$OUTAGE_PROBES"))" "health answers 200 throughout the outage"

results="$load_dir/results"
total=$(wc -l <"$results")
by_status=$(awk -F'|' '{ print $1 }' "$results" | sort | uniq -c |
    awk '{ printf "%sx%s ", $1, $2 }')
diag "load: $total requests: $by_status"
failed=$(awk -F'|' '$2 != 0' "$results" | wc -l)
is "$failed" 0 "no request under load failed at the connection (reset, refused, timeout)"
awk -F'|' '$2 != 0' "$results" | head -n 5 | sed 's/^/failed: /' | while read -r l; do diag "$l"; done

bad_health=$(awk -F'|' '$3 ~ /\.health$/ && $1 != 200' "$results" | wc -l)
is "$bad_health" 0 "every health request in the load answered 200"

others=$(awk -F'|' '$3 !~ /\.health$/ && $1 != 200 && $1 != 503' "$results" | wc -l)
is "$others" 0 "every other request answered 200 or 503"
awk -F'|' '$3 !~ /\.health$/ && $1 != 200 && $1 != 503' "$results" | head -n 5 |
    while read -r l; do diag "unexpected: $l"; done

unavailable=$(awk -F'|' '$1 == 503' "$results")
n503=$(grep -c . <<<"$unavailable")
ok "$([ "$n503" -gt 0 ]; echo $?)" "the outage was seen by the load ($n503 answers 503)"
not_json=$(awk -F'|' '$1 == 503 && $4 !~ /^application\/json/' "$results" | wc -l)
is "$not_json" 0 "every 503 is application/json"
# One jq for all the bodies; a body that is not JSON yields no line.
said=$(awk -F'|' '$1 == 503 { print $3 }' "$results" |
    xargs -r jq -r '.error.code' 2>/dev/null | grep -c '^database_unavailable$')
is "$said" "$n503" "every 503 says database_unavailable"
server_errors=$(awk -F'|' '$1 ~ /^5/ && $1 != 503' "$results" | wc -l)
is "$server_errors" 0 "no other 5xx"

ok "$(alive "$main_pid"; echo $?)" "the kore parent is still running (no restart)"
is "$(workers_of "$main_pid")" "$workers_before" "the same worker processes are running"
is "$(worker_deaths "$main_out")" "$deaths_before" "no worker exited or was restarted"

# Every pooled connection works again.
load_round "$load_dir" after >"$load_dir/after"
is "$(awk -F'|' '{ print $1 "/" $2 }' "$load_dir/after" | sort | uniq -c |
    awk '{ printf "%sx%s ", $1, $2 }')" "${LOAD_CONCURRENCY}x200/0 " \
    "after the outage, $LOAD_CONCURRENCY concurrent requests all answer 200"

# The background sweeper (every 5 s) works again too: a queued deletion of
# an object that does not exist is done (and forgotten) within a few sweeps.
ghost="reactions/$(cat /proc/sys/kernel/random/uuid)"
sql "INSERT INTO storage_deletions (object_key, due_at) VALUES ('$ghost', now())" >/dev/null
ghost_gone() {
	[ "$(sql "SELECT count(*) FROM storage_deletions WHERE object_key = '$ghost'")" = 0 ]
}
t0=$(now_ms)
wait_secs "$GHOST_SECONDS" ghost_gone
ok $? "after the outage, the sweeper works again within 20 s"
diag "the queued ghost deletion was $(ghost_gone && echo "swept after $(($(now_ms) - t0)) ms" || echo "still queued after $(($(now_ms) - t0)) ms")"

# A pool kept busy for longer than two sweeps: each worker's sweeper query
# then waits in Kore's queue for a free connection, and is woken from it
# (where a callback that restarted the query at once freed Kore's wait
# entry twice and took the worker down). The sweeper still does its work.
deaths_before=$(worker_deaths "$main_out")
workers_before=$(workers_of "$main_pid")
wrk -t2 -c"$SATURATE_CONNECTIONS" -d"${SATURATE_SECONDS}s" "${auth[@]}" \
    "$REACTBIN_URL/api/v1/reactions?tag=a&tag=b&limit=30" >"$work/saturate.wrk" 2>&1 &
wrk_pid=$!
helpers+=("$wrk_pid")
sleep 1
ghost="reactions/$(cat /proc/sys/kernel/random/uuid)"
sql "INSERT INTO storage_deletions (object_key, due_at) VALUES ('$ghost', now())" >/dev/null
wait "$wrk_pid"
ok $? "wrk kept $SATURATE_CONNECTIONS connections busy for $SATURATE_SECONDS s"
grep -E 'Requests/sec|Non-2xx|Socket errors' "$work/saturate.wrk" | while read -r l; do diag "saturated: $l"; done
! grep -qE 'Non-2xx|Socket errors' "$work/saturate.wrk"
ok $? "every request on the saturated pool answered 2xx, none was cut off"
is "$(worker_deaths "$main_out")" "$deaths_before" "no worker exited or was restarted while the pool was saturated"
is "$(workers_of "$main_pid")" "$workers_before" "the same worker processes are running after the saturation"
ok "$(ghost_gone; echo $?)" "the sweeper removed a queued deletion while the pool was saturated"
stop_instance "$main_pid"

# ==============================================================================
# 2. S3 unavailable
# ==============================================================================

# A new instance: the one above has been through the database outage.
start faults-s3 || { echo "Bail out! reactbin did not start"; exit 1; }
main_pid=$REACTBIN_PID
main_url=$REACTBIN_URL
main_out=$REACTBIN_OUT

# Both at once, to save the storage timeouts' half-minute: one instance
# talks to the S3 server frozen with SIGSTOP (the connection is made, then
# nothing comes back); a second one, started with S3_ENDPOINT_URL on a
# port where nothing listens, is refused at once.

upload "$(fresh_png frozen-dl)"
frozen_dl=$(json .id)
upload "$(fresh_png frozen-del)"
frozen_del=$(json .id)
upload "$(fresh_png refused-dl)"
refused_dl=$(json .id)
upload "$(fresh_png refused-del)"
refused_del=$(json .id)
new_png=$(fresh_png frozen-new)
new_sha=$(sha256sum "$new_png" | cut -d' ' -f1)
ref_png=$(fresh_png refused-new)
ref_sha=$(sha256sum "$ref_png" | cut -d' ' -f1)
fixtures=0
for id in "$frozen_dl" "$frozen_del" "$refused_dl" "$refused_del"; do
	[[ $id =~ ^[0-9a-f-]{36}$ ]] || fixtures=1
done
ok "$fixtures" "four reactions to download and delete while S3 is away"
rows_before=$(sql "SELECT count(*) FROM reactions")

closed_port=$(free_port)
start faults-refused "S3_ENDPOINT_URL=http://127.0.0.1:$closed_port" ||
    { echo "Bail out! the instance with a closed S3 port did not start"; exit 1; }
refused_pid=$REACTBIN_PID
refused_url=$REACTBIN_URL
REACTBIN_PID=$main_pid REACTBIN_URL=$main_url REACTBIN_OUT=$main_out

# --- frozen: connected, silent ------------------------------------------------

kill -STOP "$rgw"
rgw_pid=$rgw
frozen_at=$(now_ms)
bg_request frozen-up POST /api/v1/reactions "${auth[@]}" \
    -H 'content-type: image/png' --data-binary "@$new_png" &
p_up=$!
bg_request frozen-del DELETE "/api/v1/reactions/$frozen_del" "${auth[@]}" &
p_del=$!
bg_request frozen-dl GET "/api/v1/reactions/$frozen_dl/file" &
p_dl=$!

probe_health 5 0.2
health=$probed
login
frozen_login=$HTTP_STATUS

# --- refused: nothing listens (meanwhile) -------------------------------------

REACTBIN_URL=$refused_url
t0=$(now_ms)
request POST /api/v1/reactions "${auth[@]}" -H 'content-type: image/png' \
    --data-binary "@$ref_png"
diag "S3 refused: upload answered in $(($(now_ms) - t0)) ms"
like "$HTTP_STATUS" '^50[23]$' "S3 refused: the upload answers 502/503"
is "$(json .error.code)" storage_unavailable "S3 refused: code storage_unavailable"
is "$(sql "SELECT count(*) FROM reactions WHERE sha256 = '$ref_sha'")" 0 \
    "S3 refused: the failed upload left no row"

request GET "/api/v1/reactions/$refused_dl/file"
like "$HTTP_STATUS" '^50[23]$' "S3 refused: the download answers 502/503"
like "$(header content-type)" '^application/json' "S3 refused: the download's error is JSON"
is "$(json .error.code)" storage_unavailable "S3 refused: download code storage_unavailable"

t0=$(now_ms)
request DELETE "/api/v1/reactions/$refused_del" "${auth[@]}"
diag "S3 refused: delete answered in $(($(now_ms) - t0)) ms"
is "$HTTP_STATUS" 204 "S3 refused: the delete answers 204"
is "$(sql "SELECT count(*) FROM reactions WHERE id = '$refused_del'")" 0 \
    "S3 refused: the deleted row is gone"
is "$(sql "SELECT count(*) FROM storage_deletions WHERE object_key = 'reactions/$refused_del'")" \
    1 "S3 refused: its object is queued for removal"

# GET /metrics counts them (15-metrics.t checks the format): every PUT
# this instance made failed, and so did the download's GET.
metrics=$(curl -s "$REACTBIN_URL/metrics")
series() { awk -v s="$1" '$1 == s { print $2 }' <<<"$metrics"; }
put_calls=$(series 'reactbin_storage_calls_total{operation="put"}')
put_errors=$(series 'reactbin_storage_errors_total{operation="put"}')
get_errors=$(series 'reactbin_storage_errors_total{operation="get"}')
ok "$([ "${put_errors:-0}" -ge 1 ] && [ "$put_errors" = "$put_calls" ]; echo $?)" \
    "S3 refused: the metrics count every PUT as a storage error ($put_errors of $put_calls)"
ok "$([ "${get_errors:-0}" -ge 1 ]; echo $?)" \
    "S3 refused: the metrics count the download's GET as a storage error ($get_errors)"

request GET /api/v1/health
is "$HTTP_STATUS" 200 "S3 refused: health answers 200"
# Stopped before its sweeper (every 5 s) pushes the queue back much.
stop_instance "$refused_pid"
REACTBIN_URL=$main_url

# ==============================================================================
# 6. Slowloris and limits (meanwhile, on an instance of their own)
# ==============================================================================


start faults-slow || { echo "Bail out! the slowloris instance did not start"; exit 1; }
slow_pid=$REACTBIN_PID
port=${REACTBIN_URL##*:}
rss_before=$(rss_kb "$slow_pid")
rss_peak=$rss_before
sample_rss() {
	local kb
	kb=$(rss_kb "$slow_pid")
	[ "$kb" -le "$rss_peak" ] || rss_peak=$kb
}

# 200 connections stuck in their request line, 50 sending headers a byte
# at a time, for longer than Kore's header timeout (10 s).
"$hold" "$port" partial 200 15 "$work/partial.report" &
p1=$!
"$hold" "$port" trickle 50 15 "$work/trickle.report" &
p2=$!
helpers+=("$p1" "$p2")
holding() { grep -qs '^holding\|^done' "$work/partial.report" && grep -qs '^holding\|^done' "$work/trickle.report"; }
wait_for "$SETUP_TENTHS" holding
probe_health 10 0.3 sample_rss
login
slow_login=$HTTP_STATUS
is "$probed" "$(printf '200 %.0s' $(seq 1 10))" "250 slow clients: health answers 200 for everyone else"
is "$slow_login" 200 "250 slow clients: login answers 200"
wait "$p1" "$p2"
diag "partial request lines: $(cat "$work/partial.report")"
diag "trickled headers: $(cat "$work/trickle.report")"
closed=$(grep -o 'closed_by_server=[0-9]*' "$work/partial.report" "$work/trickle.report" |
    awk -F= '{ n += $2 } END { print n + 0 }')
is "$closed" 250 "every slow client was disconnected by the server (header timeout)"
sample_rss
diag "workers' RSS: before $rss_before kB, peak $rss_peak kB"
ok "$([ "$rss_peak" -lt "$RSS_LIMIT_KB" ]; echo $?)" "the workers' RSS stays under 200 MB"

big=$(head -c 9000 /dev/zero | tr '\0' a)
request GET /api/v1/health -H "X-Big: $big"
like "$HTTP_STATUS" '^4[0-9][0-9]$' "a 9000-byte header (http_header_max 8192): 4xx"
diag "oversized header: $HTTP_STATUS, content-type '$(header content-type)', ${#HTTP_BODY} body bytes"
request GET /api/v1/health
is "$HTTP_STATUS" 200 "health answers 200 after it"

# Ten thousand idle connections, held past the header timeout: the
# others are served all the while, and the server drops the idle ones.
"$hold" "$port" idle "$IDLE_CONNECTIONS" "$IDLE_SECONDS" "$work/idle.report" &
p3=$!
helpers+=("$p3")
wait_for "$IDLE_SETUP_TENTHS" grep -qs '^holding\|^done' "$work/idle.report"
diag "idle: $(cat "$work/idle.report")"
probe_health 5 0.2 sample_rss
login
is "$probed$HTTP_STATUS" "200 200 200 200 200 200" \
    "$IDLE_CONNECTIONS idle connections: health and login answer 200"
wait "$p3"
diag "idle: $(cat "$work/idle.report")"
is "$(grep -o 'opened=[0-9]* refused=[0-9]*' "$work/idle.report")" \
    "opened=$IDLE_CONNECTIONS refused=0" "every idle connection was accepted"
is "$(grep -o 'closed_by_server=[0-9]*' "$work/idle.report")" \
    "closed_by_server=$IDLE_CONNECTIONS" "the server closed every idle connection (header timeout)"
request GET /api/v1/health
is "$HTTP_STATUS" 200 "after the idle connections, health answers 200"
login
is "$HTTP_STATUS" 200 "and login 200"
diag "workers' RSS peak with the idle connections: $rss_peak kB"
ok "$([ "$rss_peak" -lt "$RSS_LIMIT_KB" ]; echo $?)" "the workers' RSS stays under 200 MB"
is "$(worker_deaths "$REACTBIN_OUT")" 0 "no worker died under the slow and idle clients"
ok "$(alive "$slow_pid"; echo $?)" "the instance is still running"
stop_instance "$slow_pid"
REACTBIN_PID=$main_pid REACTBIN_URL=$main_url REACTBIN_OUT=$main_out

# --- frozen: the answers ------------------------------------------------------

wait "$p_up" "$p_del" "$p_dl"
waited_ms=$(($(now_ms) - frozen_at))
kill -CONT "$rgw"
rgw_pid=
thawed_ms=$(now_ms)

is "$health" "200 200 200 200 200 " "S3 frozen: health answers 200"
is "$frozen_login" 200 "S3 frozen: login (no storage) answers 200"
diag "S3 frozen for $waited_ms ms; upload $(meta frozen-up 2) s, delete $(meta frozen-del 2) s, download $(meta frozen-dl 2) s"

like "$(meta frozen-up 1)" '^50[23]$' "S3 frozen: the upload answers 502/503"
is "$(bg_json frozen-up .error.code)" storage_unavailable "S3 frozen: upload code storage_unavailable"
like "$(bg_type frozen-up)" '^application/json' "S3 frozen: the upload's error is JSON"
is "$(sql "SELECT count(*) FROM reactions WHERE sha256 = '$new_sha'")" 0 \
    "S3 frozen: the failed upload left no row"

# Kore leaves its header timeout (10 s) armed for a DELETE without a
# Content-Length; the job runner disarms it, so a slow storage call does
# not turn into Kore's bare 408.
is "$(meta frozen-del 1)" 204 "S3 frozen: the delete answers 204"
is "$(sql "SELECT count(*) FROM reactions WHERE id = '$frozen_del'")" 0 \
    "S3 frozen: the deleted row is gone"
is "$(sql "SELECT count(*) FROM reactions")" "$((rows_before - 2))" \
    "S3 away: two rows fewer in all (the two deletes), none more"

like "$(meta frozen-dl 1)" '^50[23]$' "S3 frozen: the download answers 502/503"
is "$(bg_json frozen-dl .error.code)" storage_unavailable "S3 frozen: download code storage_unavailable"
like "$(bg_type frozen-dl)" '^application/json' "S3 frozen: the download's error is JSON"

hung=0
for r in frozen-up frozen-del frozen-dl; do
	[ "$(meta "$r" 3)" = 0 ] || hung=$((hung + 1))
done
is "$hung" 0 "S3 frozen: every request ended with an answer (none cut off by curl's 60 s)"

# --- S3 back: the sweeper removes both objects ------------------------------

swept() {
	[ "$(bucket_has "$frozen_del")$(bucket_has "$refused_del")" = 00 ] &&
	    [ "$(sql "SELECT count(*) FROM storage_deletions WHERE object_key
	        IN ('reactions/$frozen_del', 'reactions/$refused_del')")" = 0 ]
}
wait_secs "$SWEEP_SECONDS" swept
ok $? "after S3 is back, both deleted objects leave the bucket and the queue"
diag "swept $(($(now_ms) - thawed_ms)) ms after S3 was thawed;" \
    "frozen: in bucket $(bucket_has "$frozen_del"), refused: in bucket $(bucket_has "$refused_del")"

is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 \
    "$REACTBIN_URL/api/v1/reactions/$frozen_dl/file")" 200 \
    "after S3 is back, downloads work again"
is "$(worker_deaths "$REACTBIN_OUT")" 0 "no worker died while S3 was away"

# ==============================================================================
# 3. A worker killed with SIGKILL in the middle of a download, three times
# ==============================================================================

# A 64 MiB object with its row, put straight into the bucket and the table:
# at 1 MiB/s its download lasts long enough to be interrupted.
head -c "$DOWNLOAD_BYTES" /dev/urandom >"$work/big.bin"
big_sha=$(sha256sum "$work/big.bin" | cut -d' ' -f1)
big_id=$(cat /proc/sys/kernel/random/uuid)
status=$(s3 PUT "reactions/$big_id" -H "x-amz-content-sha256: $big_sha" \
    -H 'content-type: application/octet-stream' -T "$work/big.bin")
[ "$status" = 200 ] || { echo "Bail out! S3 PUT of the large object: $status"; exit 1; }
sql "INSERT INTO reactions (id, title, media_type, size_bytes, sha256,
    object_key) VALUES ('$big_id', 'kill download', 'video/mp4',
    $DOWNLOAD_BYTES, '$big_sha', 'reactions/$big_id')" >/dev/null ||
    { echo "Bail out! could not insert the large object's row"; exit 1; }

for round in $(seq 1 "$KILL_ROUNDS"); do
	probe="kill-$round-$(rand)"
	part="$work/kill-$round.bin"
	: >"$part"
	# One connection: a health probe (its access line names the worker),
	# then the slow download on the same connection, the same worker.
	curl -sS -o /dev/null -H "X-Request-Id: $probe" \
	    "$REACTBIN_URL/api/v1/health" --next -o "$part" --max-time 60 \
	    --limit-rate "$DOWNLOAD_RATE" -w '%{http_code} %{size_download} %{exitcode}' \
	    "$REACTBIN_URL/api/v1/reactions/$big_id/file" \
	    >"$work/kill-$round.meta" 2>/dev/null &
	client=$!

	logged() { grep -q "request_id=$probe" "$REACTBIN_OUT"; }
	wait_for "$SETUP_TENTHS" logged
	victim=$(grep "request_id=$probe" "$REACTBIN_OUT" | grep -o ' pid=[0-9]*' |
	    head -n 1 | cut -d= -f2)
	ppid=$(sed 's/^.*) //' "/proc/${victim:-0}/stat" 2>/dev/null | cut -d' ' -f2)
	is "${ppid:-none}" "$main_pid" "kill $round: the worker serving the download ($victim) is a child of the instance"
	started() { [ -s "$part" ]; }
	wait_for "$SETUP_TENTHS" started
	before=$(workers_of "$main_pid")

	killed_at=$(now_ms)
	kill -KILL "${victim:-0}"
	wait "$client"
	client_ms=$(($(now_ms) - killed_at))
	read -r code got exitcode <"$work/kill-$round.meta"
	diag "kill $round: worker $victim killed after $(stat -c %s "$part") bytes;" \
	    "the client ended $client_ms ms later: status $code, $got bytes, curl exit $exitcode"
	ok "$([ "${exitcode:-0}" != 0 ] && [ "${exitcode:-0}" != 28 ]; echo $?)" \
	    "kill $round: the client sees an error (curl exit ${exitcode:-none}), not a hang"
	ok "$([ "${got:-0}" -lt "$DOWNLOAD_BYTES" ]; echo $?)" \
	    "kill $round: and no complete file"

	ok "$(alive "$main_pid"; echo $?)" "kill $round: the kore parent survives"
	restarted() {
		local now
		now=$(workers_of "$main_pid")
		[ "$(wc -w <<<"$now")" -eq "$REACTBIN_WORKERS" ] &&
		    ! grep -qw "$victim" <<<"$now"
	}
	wait_for "$SETUP_TENTHS" restarted
	ok $? "kill $round: a new worker replaces it (was: $before; now: $(workers_of "$main_pid"))"
	request GET /api/v1/health
	is "$HTTP_STATUS" 200 "kill $round: health answers 200"
	login
	is "$HTTP_STATUS" 200 "kill $round: login answers 200"
done
diag "Kore's parent logged $(worker_deaths "$REACTBIN_OUT") worker deaths and restarts"
stop_instance "$main_pid"

# ==============================================================================
# 4. SIGTERM under load
# ==============================================================================

start faults-drain || { echo "Bail out! the drain instance did not start"; exit 1; }
drain_pid=$REACTBIN_PID
# About 1 MB each: five seconds at 200 kB/s, so they are in flight when
# the signal comes.
up1=$(fresh_png drain-1 600x560)
up2=$(fresh_png drain-2 600x560)
p_ups=()
for u in "$up1" "$up2"; do
	bg_request "$(basename "$u" .png)" POST /api/v1/reactions "${auth[@]}" \
	    -H 'Expect:' -H 'content-type: image/png' --limit-rate 200k \
	    --data-binary "@$u" &
	p_ups+=($!)
done
wrk -t2 -c20 -d6s --timeout 5s "$REACTBIN_URL/api/v1/health" >"$work/wrk.out" 2>&1 &
p_wrk=$!
helpers+=("$p_wrk")
# Both uploads are sending their bodies (they take five seconds).
sending() {
	[ "$(ss -Htn state established "( dport = :${REACTBIN_URL##*:} )" | wc -l)" -ge 22 ]
}
wait_for "$SETUP_TENTHS" sending
sleep 1

term_at=$(now_ms)
kill -TERM "$drain_pid"
exited() { ! alive "$drain_pid"; }
wait_for "$EXIT_TENTHS" exited
gone_ms=$(($(now_ms) - term_at))
if alive "$drain_pid"; then
	kill -KILL "$drain_pid"
fi
wait "$drain_pid"
drain_status=$?
wait "${p_ups[@]}"
wait "$p_wrk"

is "$drain_status" 0 "SIGTERM under load: the parent exits 0"
ok "$([ "$gone_ms" -lt "$DRAIN_LIMIT_MS" ]; echo $?)" "SIGTERM under load: the parent is gone within 30 s"
diag "the parent exited $gone_ms ms after SIGTERM"
is "$(meta drain-1 1) $(meta drain-2 1)" "201 201" "SIGTERM under load: both uploads in flight complete with 201"
diag "uploads took $(meta drain-1 2) s and $(meta drain-2 2) s"
ids="'$(bg_json drain-1 .id)','$(bg_json drain-2 .id)'"
is "$(sql "SELECT count(*) FROM reactions WHERE id IN ($ids)")" 2 "and both rows are there"

requests=$(awk '/requests in/ { print $1 }' "$work/wrk.out")
non2xx=$(awk -F': ' '/Non-2xx/ { print $2 }' "$work/wrk.out")
sockerr=$(awk -F': ' '/Socket errors/ { print $2 }' "$work/wrk.out")
diag "wrk: ${requests:-?} requests; non-2xx: ${non2xx:-0}; socket errors: ${sockerr:-none}"
ok "$([ "${requests:-0}" -gt 0 ]; echo $?)" "wrk got answers before the signal"
is "${non2xx:-0}" 0 "wrk: every answer it got was 2xx (errors are only closed/refused connections)"
stop_instance "$drain_pid"

# ==============================================================================
# 5. Two instances starting at once on a fresh database
# ==============================================================================

twin_db="faults_twins_$(rand)"
su_sql "CREATE DATABASE $twin_db OWNER reactbin" >/dev/null ||
    { echo "Bail out! could not create $twin_db"; exit 1; }
twin_url="${DATABASE_URL%/*}/$twin_db"
twin_psql="${PSQL_URL%/*}/$twin_db"

twin_pids=()
twin_urls=()
twin_outs=()
for t in a b; do
	dir="$REACTBIN_TEST_TMP/faults-twin-$t"
	mkdir -p "$dir"
	port=$(free_port)
	service_config "$dir" "$port"
	twin_urls+=("http://127.0.0.1:$port")
	twin_outs+=("$dir/stdout")
done
# Both at the same instant: no wait between the two.
for i in 0 1; do
	dir=$(dirname "${twin_outs[i]}")
	(cd "$REACTBIN_TOP" && exec env DATABASE_URL="$twin_url" \
	    LOGIN_MAX_FAILURES=2 kore -nrc "$dir/kore.conf") \
	    >"$dir/stdout" 2>"$dir/stderr" &
	twin_pids+=($!)
	instances+=($!)
done
healthy() { curl -fs -o /dev/null --max-time 5 "$1/api/v1/health"; }
for i in 0 1; do
	wait_for "$((SERVICE_START_WAIT * 10))" healthy "${twin_urls[i]}"
	ok $? "twin $i started at the same instant comes up healthy"
	REACTBIN_URL=${twin_urls[i]}
	request GET /api/v1/ready
	is "$HTTP_STATUS" 200 "twin $i is ready"
done

versions=$(psql "$twin_psql" -XAtq -c "SELECT count(*) || ' ' || count(DISTINCT version) FROM schema_migrations")
expected=$(sql "SELECT count(*) FROM schema_migrations")
is "$versions" "$expected $expected" "schema_migrations has each of the $expected versions exactly once"
applied_a=$(grep -c 'event=migration_applied' "${twin_outs[0]}")
applied_b=$(grep -c 'event=migration_applied' "${twin_outs[1]}")
is "$((applied_a + applied_b))" "$expected" "each migration was applied by one twin only"
diag "migrations applied: twin a $applied_a, twin b $applied_b"

bad="{\"username\":\"$OWNER_USERNAME\",\"password\":\"wrong\"}"
REACTBIN_URL=${twin_urls[0]}
statuses=
for _ in 1 2; do
	request POST /api/v1/auth/login -H 'content-type: application/json' -d "$bad"
	statuses="$statuses$HTTP_STATUS "
done
is "$statuses" "401 401 " "twin a: two wrong logins answer 401 (LOGIN_MAX_FAILURES=2)"
REACTBIN_URL=${twin_urls[1]}
login
is "$HTTP_STATUS $(json .error.code)" "429 too_many_requests" "twin b: the lock set through twin a holds (429)"
like "$(header retry-after)" '^[0-9]+$' "twin b: with Retry-After"
REACTBIN_URL=${twin_urls[0]}
login
is "$HTTP_STATUS" 429 "twin a: locked too"
for i in 0 1; do
	is "$(worker_deaths "${twin_outs[i]}")" 0 "twin $i: no worker died"
	stop_instance "${twin_pids[i]}"
done

done_testing
