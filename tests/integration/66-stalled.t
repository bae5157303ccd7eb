#!/usr/bin/env bash
# Clients that stop reading a download: twelve take the head and 64 KiB
# of a 40 MiB file, then keep their sockets open without taking another
# byte. The server must close each after a minute without progress
# (allowed: 55 to 90 s), end its S3 transfer, serve everyone else all the
# while, and write each one's access line with the bytes it really sent
# (more than none, fewer than the file).
#
# It takes over a minute, so it is a file of its own, to run alongside
# the others. Everything listens on 127.0.0.1.
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

need_tools python3 jq sha256sum ss pgrep

rude=$here/../lib/rudeclient.py
mkpng=$here/../lib/make-png.py
work=$(mktemp -d "$REACTBIN_TEST_TMP/stalled.XXXXXX")

STALLED=12
FILE_BYTES=$((40 * 1024 * 1024))
# What a stalled client takes before it stops, and its receive buffer
# (small, so that the bytes it does not take stay on the server's side).
STALL_READ=65536
RCVBUF=65536
# The server closes a connection that took no byte for a minute: allowed
# from 55 to 90 s after the stall. The clients watch a little longer.
CLOSE_MIN_S=55
CLOSE_MAX_S=90
WATCH_S=100
SETUP_TENTHS=100
# The others, served during the stall: each within this.
OTHERS_TIMEOUT=30

stallers=
cleanup() {
	[ -z "$stallers" ] || kill "$stallers" 2>/dev/null
	service_stop TERM
}
trap cleanup EXIT

service_start stalled || { echo "Bail out! reactbin did not start"; exit 1; }
owner_login

"$mkpng" "$FILE_BYTES" "$work/big.png" ||
    { echo "Bail out! could not make the file"; exit 1; }
request POST /api/v1/reactions?title=stalled -H "Authorization: Bearer $token" \
    -H 'content-type: image/png' --data-binary "@$work/big.png"
[ "$HTTP_STATUS" = 201 ] ||
    { echo "Bail out! upload: $HTTP_STATUS $HTTP_BODY"; exit 1; }
size=$(stat -c %s "$work/big.png")
sha=$(sha256sum <"$work/big.png" | cut -d' ' -f1)
file="$REACTBIN_URL/api/v1/reactions/$(json .id)/file"
port=${REACTBIN_URL##*:}
rgw_port=${S3_ENDPOINT_URL##*:}
rid="stall-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"

# S3 transfers of this instance's workers that are paused: connections to
# S3 holding bytes that nobody reads.
paused_transfers() {
	local workers
	workers=$(pgrep -P "$REACTBIN_PID" | paste -sd'|')
	[ -n "$workers" ] || { echo 0; return; }
	ss -Htnp state established "( dport = :$rgw_port )" |
	    awk -v w="pid=($workers)," '$1 > 0 && $0 ~ w { n++ } END { print n + 0 }'
}

# others WHEN: health and a whole download for somebody else, now.
others() {
	local got
	request GET /api/v1/health
	is "$HTTP_STATUS" 200 "$1: health answers 200"
	got=$(curl -sS --max-time "$OTHERS_TIMEOUT" "$file" | sha256sum | cut -d' ' -f1)
	is "$got" "$sha" "$1: another client downloads the whole file"
}

"$rude" --stall "$STALL_READ" --rcvbuf "$RCVBUF" --timeout "$WATCH_S" \
    --parallel "$STALLED" --request-id "$rid" "$file" \
    >"$work/stalled.json" 2>"$work/stalled.err" &
stallers=$!
stalled_at=$SECONDS
connected() {
	[ "$(ss -Htn state established "( dport = :$port )" | wc -l)" -ge "$STALLED" ]
}
wait_for "$SETUP_TENTHS" connected
ok $? "$STALLED stalled downloads are connected"

# A diagnostic, and a check that paused_transfers sees them.
all_paused() { [ "$(paused_transfers)" -ge "$STALLED" ]; }
wait_for "$SETUP_TENTHS" all_paused
diag "S3 transfers held paused for the stalled clients: $(paused_transfers)"
others "a few seconds into the stall"
# Half way to the minute.
[ $((SECONDS - stalled_at)) -ge 30 ] || sleep $((30 - (SECONDS - stalled_at)))
others "half a minute into the stall"

# Until every stalled client has seen its close, or the latest it may
# come has passed: what the server holds is looked at while the clients
# that were not closed still hold their end.
reported() { [ "$(grep -c . "$work/stalled.json")" -ge "$STALLED" ]; }
wait_secs $((CLOSE_MAX_S + 1 - (SECONDS - stalled_at))) reported
diag "$(grep -c . "$work/stalled.json") of $STALLED stalled clients saw a close within $((SECONDS - stalled_at)) s"

is "$(paused_transfers)" 0 "no S3 transfer of theirs is left paused"
service_log_wait "event=access .*request_id=$rid-" "$REACTBIN_OUT" "$STALLED"
logged=$(grep -E "event=access .*request_id=$rid-" "$REACTBIN_OUT")
is "$(grep -c . <<<"$logged")" "$STALLED" "each stalled request has its access line"
between=$(grep -oE ' bytes=[0-9]+' <<<"$logged" | cut -d= -f2 |
    awk -v max="$size" '$1 > 0 && $1 < max { n++ } END { print n + 0 }')
is "$between" "$STALLED" "each line records more than 0 and fewer than $size bytes"
diag "access lines: $(grep -oE 'status=[0-9]+ bytes=[0-9]+' <<<"$logged" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"

wait "$stallers"
stallers=
diag "the stalled clients ended $((SECONDS - stalled_at)) s after they began"

lines=$(jq -s length "$work/stalled.json" 2>/dev/null)
is "$lines" "$STALLED" "every stalled client reports"
[ "$lines" = "$STALLED" ] || diag "$(head -c 500 "$work/stalled.err")"
is "$(jq -s 'map(select(.status == 200 and .stalled_at > 0 and .error == null)) | length' "$work/stalled.json")" \
    "$STALLED" "each took the head (200) and some bytes, then stalled"
closed=$(jq -s 'map(select(.server_closed)) | length' "$work/stalled.json")
is "$closed" "$STALLED" "the server closed every stalled connection"
in_time=$(jq -s --argjson lo "$CLOSE_MIN_S" --argjson hi "$CLOSE_MAX_S" \
    'map(select(.server_closed and .closed_after_s >= $lo and .closed_after_s <= $hi)) | length' \
    "$work/stalled.json")
is "$in_time" "$STALLED" "each after a minute without progress ($CLOSE_MIN_S-$CLOSE_MAX_S s)"
diag "$(jq -r '"client \(.n): took \(.stalled_at) bytes, closed by the server: \(.server_closed) after \(.closed_after_s) s (\(.close_seen_as)); then read \(.drained_bytes) more (\(.drain_end))"' "$work/stalled.json")"

# Where the server closed in order (its FIN came after the last byte it
# had written), the client has every byte that was sent: the access line
# must say as much, not what was only queued.
sent=0
exact=0
while read -r id got; do
	sent=$((sent + 1))
	line=$(grep -E "event=access .*request_id=$id( |\$)" <<<"$logged")
	logged_bytes=$(grep -oE ' bytes=[0-9]+' <<<"$line" | cut -d= -f2)
	if [ "${logged_bytes:-none}" = "$got" ]; then
		exact=$((exact + 1))
	else
		diag "$id: the client got $got bytes, the access line says ${logged_bytes:-nothing}"
	fi
done < <(jq -r 'select(.drain_end == "eof") | "\(.request_id) \(.stalled_at + .drained_bytes)"' "$work/stalled.json")
is "$exact" "$sent" "the access line of each orderly closed one has the bytes the client got ($sent of $STALLED closed in order)"

others "after the stall"
is "$(grep -cE 'exited with status|\) gone|restarting worker|died' "$REACTBIN_OUT")" 0 \
    "no worker died"

done_testing
