#!/usr/bin/env bash
# Rude clients of the public file link and of the routes that take no
# body, on a raw socket (tests/lib/rudeclient.py):
#
#   1. Downloads of files of 1 KiB, 100 KB, 7 MB and 45 MiB, whole and
#      ranged, by clients that wait before reading, read at a pace, pause
#      in the middle, have a tiny receive buffer, send "Connection:
#      close", speak HTTP/1.0, or come eight at once: every one gets the
#      bytes exactly (SHA-256), and a client that asked the server to
#      close sees the close after the last byte, not before.
#   2. Headers that announce a 40 MiB body which never comes: a route
#      that needs a token answers a missing one with 401 at once, a route
#      that takes no body refuses one (400 or 413) at once, without
#      waiting for the body (Kore's body timeout is minutes), and closes
#      the connection (the body must not be read as the next request).
#   3. SIGTERM while downloads are in flight and keep-alive clients keep
#      asking: every answer begun is finished byte-exact, the instance
#      exits 0 within the contract's 30 s.
#
# Everything listens on 127.0.0.1; the files are random pixels in a PNG,
# new every run.
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

need_tools python3 jq sha256sum ss

rude=$here/../lib/rudeclient.py
mkpng=$here/../lib/make-png.py
work=$(mktemp -d "$REACTBIN_TEST_TMP/clients.XXXXXX")

# The files, by name: sizes in bytes (the PNG may be a few bytes more).
declare -A SIZE=([tiny]=1024 [small]=100000 [mid]=7000000
    [big]=$((45 * 1024 * 1024)))
FILES=(tiny small mid big)
# A rude request that gets no whole answer in this long has failed.
CLIENT_TIMEOUT=60
# Paced readers: the 45 MiB file at 20 MB/s, the others at 2 MB/s.
PACE_SLOW=2000000
PACE_BIG=20000000
# A pause in the middle: after this many bytes (or half the file), 3 s.
PAUSE_AT=1000000
PAUSE_SECONDS=3
WAIT_SECONDS=0.5
RCVBUF=4096
PARALLEL=8
# The bodies that never come, and how long their answer may take.
ANNOUNCED=$((40 * 1024 * 1024))
ANSWER_TIMEOUT=5
# The drain: the contract's limit, and the keep-alive loops' bound.
DRAIN_LIMIT_MS=30000
EXIT_TENTHS=400
SETUP_TENTHS=100
LOOPS=3
LOOP_REQUESTS=400

main_pid=
drain_pid=
cleanup() {
	# shellcheck disable=SC2086 # either may be empty
	service_stop_each $main_pid $drain_pid
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
sha_of() { sha256sum | cut -d' ' -f1; }

service_start clients || { echo "Bail out! reactbin did not start"; exit 1; }
main_pid=$REACTBIN_PID
owner_login
# One header, as rudeclient.py takes it (--header) and curl does (-H).
bearer="Authorization: Bearer $token"

# --- the files ----------------------------------------------------------------

declare -A ID LEN SHA
for f in "${FILES[@]}"; do
	"$mkpng" "${SIZE[$f]}" "$work/$f.png" ||
	    { echo "Bail out! could not make $f.png"; exit 1; }
	request POST "/api/v1/reactions?title=rude+$f" -H "$bearer" \
	    -H 'content-type: image/png' --data-binary "@$work/$f.png"
	if [ "$HTTP_STATUS" != 201 ]; then
		echo "Bail out! upload of $f.png: $HTTP_STATUS $HTTP_BODY"
		exit 1
	fi
	ID[$f]=$(json .id)
	LEN[$f]=$(stat -c %s "$work/$f.png")
	SHA[$f]=$(sha_of <"$work/$f.png")
	is "$(json .size_bytes)" "${LEN[$f]}" "$f.png (${LEN[$f]} bytes) is uploaded whole"
done

# The middle half of each file, for the ranged downloads.
declare -A FIRST LAST RSHA
for f in "${FILES[@]}"; do
	FIRST[$f]=$((LEN[$f] / 4))
	LAST[$f]=$((LEN[$f] * 3 / 4))
	RSHA[$f]=$(tail -c +$((FIRST[$f] + 1)) "$work/$f.png" |
	    head -c $((LAST[$f] - FIRST[$f] + 1)) | sha_of)
done

file_url() { echo "$REACTBIN_URL/api/v1/reactions/${ID[$1]}/file"; }

# --- 1. downloads -----------------------------------------------------------------

# fetch OUT [rudeclient args...]: the client's lines in OUT.
fetch() {
	local out=$1
	shift
	"$rude" --sha256 --timeout "$CLIENT_TIMEOUT" "$@" >"$out" 2>"$out.err"
}

# exact OUT FILE RANGED CLOSE COUNT: every one of the COUNT lines in OUT
# is a whole answer with FILE's bytes (RANGED=1: its middle half, as a
# 206 with its Content-Range), and (CLOSE=1) the server closed the
# connection after it. Prints nothing when so, else what was wrong.
exact() {
	local out=$1 f=$2 ranged=$3 close=$4 count=$5 status len sha cr lines
	if [ "$ranged" = 1 ]; then
		status=206
		len=$((LAST[$f] - FIRST[$f] + 1))
		sha=${RSHA[$f]}
		cr="bytes ${FIRST[$f]}-${LAST[$f]}/${LEN[$f]}"
	else
		status=200 len=${LEN[$f]} sha=${SHA[$f]} cr=
	fi
	jq -r --argjson st "$status" --argjson len "$len" --arg sha "$sha" \
	    --arg cr "$cr" --argjson close "$close" '
		select([.status == $st, .content_length == $len,
		    .body_bytes == $len, .sha256 == $sha, .error == null,
		    .extra_bytes == 0,
		    ($cr == "" or .headers["content-range"] == $cr),
		    ($close == 0 or .eof)] | all | not)
		| "client \(.n): status \(.status), \(.body_bytes) of \(.content_length) bytes (want \($len)), sha256 ok: \(.sha256 == $sha), server closed: \(.eof), error: \(.error), connection: \(.headers.connection)"
	    ' "$out" 2>&1
	lines=$(wc -l <"$out")
	[ "$lines" = "$count" ] || echo "$lines answers of $count; stderr: $(head -c 300 "$out.err")"
}

# download NAME CLOSE COUNT FILE RANGED [rudeclient args...]: one check.
downloads=0
download() {
	local name=$1 close=$2 count=$3 f=$4 ranged=$5 out bad
	shift 5
	downloads=$((downloads + 1))
	out="$work/download.$downloads.json"
	if [ "$ranged" = 1 ]; then
		set -- "$@" --range "${FIRST[$f]}-${LAST[$f]}"
	fi
	fetch "$out" "$@" "$(file_url "$f")"
	bad=$(exact "$out" "$f" "$ranged" "$close" "$count")
	local what=whole
	[ "$ranged" = 1 ] && what="bytes ${FIRST[$f]}-${LAST[$f]}"
	ok "$([ -z "$bad" ]; echo $?)" "$name: $f ($what) arrives exactly"
	[ -z "$bad" ] || diag "$bad"
}

pace_of() { [ "$1" = big ] && echo "$PACE_BIG" || echo "$PACE_SLOW"; }
pause_at() {
	local half=$((LEN[$1] / 2))
	[ "$half" -lt "$PAUSE_AT" ] && echo "$half" || echo "$PAUSE_AT"
}

for ranged in 0 1; do
	for f in "${FILES[@]}"; do
		download "keep-alive" 0 1 "$f" "$ranged"
		download "waits ${WAIT_SECONDS}s before reading" 0 1 "$f" "$ranged" \
		    --wait "$WAIT_SECONDS"
		download "reads at $(pace_of "$f") B/s" 0 1 "$f" "$ranged" \
		    --pace "$(pace_of "$f")"
		download "SO_RCVBUF $RCVBUF" 0 1 "$f" "$ranged" --rcvbuf "$RCVBUF"
		download "Connection: close" 1 1 "$f" "$ranged" --close
		download "Connection: close, waits ${WAIT_SECONDS}s" 1 1 "$f" \
		    "$ranged" --close --wait "$WAIT_SECONDS"
		download "HTTP/1.0" 1 1 "$f" "$ranged" --http10
		download "HTTP/1.0, waits ${WAIT_SECONDS}s" 1 1 "$f" "$ranged" \
		    --http10 --wait "$WAIT_SECONDS"
		download "Connection: close, SO_RCVBUF $RCVBUF" 1 1 "$f" \
		    "$ranged" --close --rcvbuf "$RCVBUF"
	done
	# The pauses at once, not one after the other: 3 s, not 24.
	pids=()
	for f in "${FILES[@]}"; do
		rng=()
		[ "$ranged" = 1 ] && rng=(--range "${FIRST[$f]}-${LAST[$f]}")
		for close in 0 1; do
			opt=()
			[ "$close" = 1 ] && opt=(--close)
			fetch "$work/pause.$f.$ranged.$close.json" "${rng[@]}" \
			    "${opt[@]}" --pause-at "$(pause_at "$f")" \
			    --pause "$PAUSE_SECONDS" "$(file_url "$f")" &
			pids+=($!)
		done
	done
	wait "${pids[@]}"
	for f in "${FILES[@]}"; do
		for close in 0 1; do
			bad=$(exact "$work/pause.$f.$ranged.$close.json" "$f" \
			    "$ranged" "$close" 1)
			name="pauses ${PAUSE_SECONDS}s after $(pause_at "$f") bytes"
			[ "$close" = 1 ] && name="Connection: close, $name"
			what=whole
			[ "$ranged" = 1 ] && what="bytes ${FIRST[$f]}-${LAST[$f]}"
			ok "$([ -z "$bad" ]; echo $?)" "$name: $f ($what) arrives exactly"
			[ -z "$bad" ] || diag "$bad"
		done
	done
	for f in mid big; do
		download "$PARALLEL at once" 0 "$PARALLEL" "$f" "$ranged" \
		    --parallel "$PARALLEL"
		download "$PARALLEL at once, Connection: close" 1 "$PARALLEL" \
		    "$f" "$ranged" --parallel "$PARALLEL" --close
	done
done

# --- 2. bodies that never come ------------------------------------------------

# A reaction of its own for the deletes that must not happen, and one
# for the delete with an empty body that must.
spare() {
	"$mkpng" "${SIZE[tiny]}" "$work/$1.png" &&
	    request POST "/api/v1/reactions?title=rude+$1" -H "$bearer" \
		-H 'content-type: image/png' --data-binary "@$work/$1.png" &&
	    [ "$HTTP_STATUS" = 201 ] && json .id
}
keep=$(spare keep)
gone=$(spare gone)
if [ -z "$keep" ] || [ -z "$gone" ]; then
	echo "Bail out! could not upload the spare reactions"
	exit 1
fi

# refused NAME STATUSES METHOD PATH [rudeclient args...]: headers that
# announce ANNOUNCED bytes and no byte of them: the answer, one of
# STATUSES (a regex), must be a JSON error that closes the connection,
# and come before ANSWER_TIMEOUT.
answers=0
refused() {
	local name=$1 want=$2 method=$3 path=$4 out got
	shift 4
	answers=$((answers + 1))
	out="$work/refused.$answers.json"
	"$rude" --keep-body --method "$method" --content-length "$ANNOUNCED" \
	    --no-body --timeout "$ANSWER_TIMEOUT" "$@" "$REACTBIN_URL$path" \
	    >"$out" 2>"$out.err"
	got=$(jq -r '"\(.status) \((.headers["content-type"] // "-") | split(";")[0]) \((.body // "") | (fromjson? // {}) | .error.code // "-") \(.headers.connection // "-")"' "$out" 2>&1)
	like "$got" "^($want) application/json [a-z_]+ close\$" \
	    "$name, $ANNOUNCED bytes announced and none sent: $want JSON at once, connection closed"
	[[ $got =~ ^($want)\  ]] ||
	    diag "answered after $(jq -r .head_s "$out") s; error: $(jq -r .error "$out")"
}

R=/api/v1/reactions
refused "upload without a token" 401 POST "$R"
refused "upload with a bad token" 401 POST "$R" --header 'Authorization: Bearer x.y.z'
# A JSON body of 40 MiB is too large whoever sends it: 413 will do too.
refused "edit without a token" '401|413' PATCH "$R/$keep"
refused "edit with a bad token" '401|413' PATCH "$R/$keep" --header 'Authorization: Bearer x.y.z'
refused "delete without a token" '401|400|413' DELETE "$R/$keep"
refused "delete with a token" '400|413' DELETE "$R/$keep" --header "$bearer"
refused "delete of no such reaction, with a token" '400|413' DELETE \
    "$R/00000000-0000-4000-8000-000000000000" --header "$bearer"
refused "list with a token" '400|413' GET "$R" --header "$bearer"
refused "list without a token" '401|400|413' GET "$R"
refused "read with a token" '400|413' GET "$R/$keep" --header "$bearer"
refused "random with a token" '400|413' GET "$R/random" --header "$bearer"
refused "tags with a token" '400|413' GET /api/v1/tags --header "$bearer"
refused "me with a token" '400|413' GET /api/v1/auth/me --header "$bearer"
refused "file" '400|413' GET "$R/${ID[tiny]}/file"
refused "health" '400|413' GET /api/v1/health

request GET "$R/$keep" -H "$bearer"
is "$HTTP_STATUS" 200 "the refused deletes deleted nothing"
# An empty body is no body: it is not refused.
request DELETE "$R/$gone" -H "$bearer" -H 'content-length: 0'
is "$HTTP_STATUS" 204 "a delete with Content-Length: 0 deletes (204)"
request GET "$R?limit=1" -H "$bearer" -H 'content-length: 0'
is "$HTTP_STATUS" 200 "a list with Content-Length: 0 answers 200"
request GET /api/v1/health
is "$HTTP_STATUS" 200 "health answers 200 after them"

# --- 3. SIGTERM with downloads in flight --------------------------------------

service_start clients-drain ||
    { echo "Bail out! the drain instance did not start"; exit 1; }
drain_pid=$REACTBIN_PID
port=${REACTBIN_URL##*:}

# Slow downloads, in flight when the signal comes (3.5 s and more each),
# and keep-alive clients asking for the 45 MiB file again and again: the
# answers begun after the signal say "Connection: close".
clients=()
fetch "$work/drain-paced.json" --pace "$PACE_SLOW" --parallel 2 \
    "$(file_url mid)" &
clients+=($!)
fetch "$work/drain-ranged.json" --pace "$PACE_SLOW" \
    --range "${FIRST[mid]}-${LAST[mid]}" "$(file_url mid)" &
clients+=($!)
fetch "$work/drain-paused.json" --pause-at "$PAUSE_AT" \
    --pause "$PAUSE_SECONDS" "$(file_url big)" &
clients+=($!)
fetch "$work/drain-loops.json" --repeat "$LOOP_REQUESTS" --parallel "$LOOPS" \
    "$(file_url big)" &
clients+=($!)
in_flight() {
	[ "$(ss -Htn state established "( dport = :$port )" | wc -l)" -ge \
	    $((4 + LOOPS)) ] &&
	    [ "$(wc -l <"$work/drain-loops.json")" -ge "$LOOPS" ]
}
wait_for "$SETUP_TENTHS" in_flight
ok $? "$((4 + LOOPS)) downloads in flight"

term_at=$(now_ms)
kill -TERM "$drain_pid"
exited() { ! kill -0 "$drain_pid" 2>/dev/null; }
wait_for "$EXIT_TENTHS" exited
gone_ms=$(($(now_ms) - term_at))
exited || kill -KILL "$drain_pid"
wait "$drain_pid"
drain_status=$?
drain_pid=
wait "${clients[@]}"

is "$drain_status" 0 "SIGTERM with downloads in flight: the instance exits 0"
ok "$([ "$gone_ms" -lt "$DRAIN_LIMIT_MS" ]; echo $?)" \
    "SIGTERM with downloads in flight: gone within 30 s"
diag "the instance exited $gone_ms ms after SIGTERM"

bad=$(exact "$work/drain-paced.json" mid 0 0 2)
ok "$([ -z "$bad" ]; echo $?)" "SIGTERM: two downloads read at $PACE_SLOW B/s arrive exactly"
[ -z "$bad" ] || diag "$bad"
bad=$(exact "$work/drain-ranged.json" mid 1 0 1)
ok "$([ -z "$bad" ]; echo $?)" "SIGTERM: a ranged download read at $PACE_SLOW B/s arrives exactly"
[ -z "$bad" ] || diag "$bad"
bad=$(exact "$work/drain-paused.json" big 0 0 1)
ok "$([ -z "$bad" ]; echo $?)" "SIGTERM: a download paused for ${PAUSE_SECONDS}s arrives exactly"
[ -z "$bad" ] || diag "$bad"

# A loop's request that meets the drain between two answers may be
# closed unanswered (an idle keep-alive connection is closed); an answer
# that was begun must be whole.
bad=$(jq -r --argjson len "${LEN[big]}" --arg sha "${SHA[big]}" '
	select(if .status == null then .error == "timeout"
	    else ([.status == 200, .body_bytes == $len, .sha256 == $sha,
		.error == null, .extra_bytes == 0] | all | not) end)
	| "loop \(.n), request \(.seq): status \(.status), \(.body_bytes) of \(.content_length) bytes, sha256 ok: \(.sha256 == $sha), connection: \(.headers.connection), error: \(.error)"
    ' "$work/drain-loops.json" 2>&1)
ok "$([ -z "$bad" ]; echo $?)" "SIGTERM: every answer to the keep-alive loops is whole and exact"
[ -z "$bad" ] || diag "$bad"
diag "$(jq -rs '"keep-alive loops: \(length) requests, \(map(select(.headers.connection == "close")) | length) answered with Connection: close, \(map(select(.status == null)) | length) closed unanswered"' "$work/drain-loops.json")"

done_testing
