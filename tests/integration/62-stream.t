#!/usr/bin/env bash
# Uploads as streams: the body is never held whole, its bytes go to S3
# while the client sends them, and nothing of an upload that does not end
# well stays in the bucket (objects and incomplete multipart uploads) or
# the table, once the sweeper has run:
#   - byte-exact round trips from a few bytes to 45 MB, in both forms,
#     on every boundary the stream has (its look-ahead, S3's 5 MiB parts);
#   - a type none of ours is answered 415 from its first bytes, and the
#     rest of the body is not read;
#   - uploads cut in their first bytes, mid-part, between parts and in the
#     closing boundary;
#   - a worker killed (SIGKILL) in the middle of an upload;
#   - S3 slower than the clients (a throttling proxy): reading is held
#     back, and a worker's memory stays bounded.
# PostgreSQL and S3 are the script's own: the bucket's listing is ours.
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

need_tools psql python3 jq sha256sum cmp nm

EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
MIB=$((1024 * 1024))
PART=$((5 * MIB))
LOOKAHEAD=$((64 * 1024))
# The sizes of the round trips: around the look-ahead and the parts.
SIZES="40 $((LOOKAHEAD - 1)) $LOOKAHEAD $((LOOKAHEAD + 1)) $((PART - 1))
    $PART $((PART + 1)) $((2 * PART + 1)) 45000000"
# Bytes of the uploads that are cut short, killed, and slowed down.
CUT_BYTES=$((12 * MIB))
KILL_BYTES=$((30 * MIB))
KILL_RATE=1M
SLOW_UPLOADS=4
SLOW_BYTES=$((20 * MIB))
SLOW_S3_RATE=$((4 * MIB))
# A worker's peak over its idle size: the issue's bound.
RSS_BOUND_KIB=$((64 * 1024))
# A type none of ours, and how slowly it is sent.
TEXT_BYTES=$((20 * MIB))
TEXT_RATE=2M
SWEEP_WAIT_SECONDS=60
DUPLICATES=20

work=$(mktemp -d "$REACTBIN_TEST_TMP/stream.XXXXXX")
proxy_pid=
cleanup() {
	[ -z "$proxy_pid" ] || kill "$proxy_pid" 2>/dev/null
	service_stop TERM
	private_stop
}
trap cleanup EXIT

private_pg "$work/pg" "$work/pg.log"
# What this script stores, aborts and deletes stays in RGW's memstore
# until its garbage collection runs (hours): room for all of it.
S3_MEMSTORE_BYTES=$((2 * 1024 * MIB)) private_s3 "$work/s3" "$work/s3.log"
PSQL_URL=${DATABASE_URL/+asyncpg/}
sql() { psql "$PSQL_URL" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }

s3() {
	curl -sS --aws-sigv4 "aws:amz:$S3_REGION:s3" \
	    --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" \
	    -H "x-amz-content-sha256: $EMPTY_SHA256" "$@"
}
# Object keys under reactions/ (one page is all this script makes).
s3_objects() {
	s3 "$S3_ENDPOINT_URL/$S3_BUCKET_NAME?list-type=2&prefix=reactions%2F" |
	    grep -o '<Key>[^<]*</Key>' | sed 's/<[^>]*>//g' | sort
}
# Incomplete multipart uploads under reactions/, as "key id" lines.
s3_uploads() {
	s3 "$S3_ENDPOINT_URL/$S3_BUCKET_NAME?prefix=reactions%2F&uploads=" |
	    grep -o '<Upload>.*</Upload>' | sed 's#</Upload>#\n#g' |
	    sed -n 's#.*<Key>\([^<]*\)</Key>.*<UploadId>\([^<]*\)</UploadId>.*#\1 \2#p'
}

# make_file SIZE OUT: a valid image of exactly SIZE bytes, its own bytes:
# a GIF with a comment below 1 KiB, else a PNG with random bytes after
# its IEND (which the sniffer allows).
make_file() {
	python3 - "$1" "$2" <<'PY'
import os, struct, sys, zlib
size, out = int(sys.argv[1]), sys.argv[2]
if size < 1024:
    head = b"GIF89a\x01\x00\x01\x00\x00\x00\x00"
    img = b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00"
    room = size - len(head) - len(img) - 1 - 3 - 1
    com = os.urandom(room)
    data = head + b"\x21\xfe" + bytes([room]) + com + b"\x00" + img + b"\x3b"
else:
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))
    png = (b"\x89PNG\r\n\x1a\n" +
           chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) +
           chunk(b"IDAT", zlib.compress(b"\x00" + os.urandom(3))) +
           chunk(b"IEND", b""))
    data = png + os.urandom(size - len(png))
assert len(data) == size, (len(data), size)
open(out, "wb").write(data)
PY
}

# state: what the bucket and the table hold, to compare before and after.
state() {
	echo "objects=$(s3_objects | wc -l) uploads=$(s3_uploads | wc -l)" \
	    "rows=$(sql 'SELECT count(*) FROM reactions')"
}

# sweep_all: every intent due now, then wait for the sweepers to be done.
sweep_all() {
	local i
	sql "UPDATE storage_deletions SET due_at = now()" >/dev/null
	for i in $(seq 1 "$SWEEP_WAIT_SECONDS"); do
		[ "$(sql 'SELECT count(*) FROM storage_deletions')" = 0 ] && return 0
		sleep 1
	done
	return 1
}

workers_of() { pgrep -P "$1" | tr '\n' ' '; }
kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

service_start stream || { echo "Bail out! reactbin did not start"; exit 1; }
TOKEN=$(login_token)
[ -n "$TOKEN" ] || { echo "Bail out! no token"; exit 1; }
AUTH=(-H "Authorization: Bearer $TOKEN")
PORT=${REACTBIN_URL##*:}

# The module under ASan holds what it frees in quarantine: its resident
# size says nothing then, and the memory bounds are not checked.
sanitized=0
if nm -D "$REACTBIN_TOP/$(basename "$REACTBIN_TOP").so" 2>/dev/null |
    grep -q __asan_init; then
	sanitized=1
fi

# --- Round trips --------------------------------------------------------

# round_trip FORM FILE: upload, check the reaction, fetch the bytes back.
round_trip() {
	local form=$1 f=$2 n what
	n=$(stat -c %s "$f")
	what="$form $n B"
	if [ "$form" = raw ]; then
		request POST /api/v1/reactions "${AUTH[@]}" --max-time 120 \
		    -H 'content-type: application/octet-stream' --data-binary "@$f"
	else
		request POST /api/v1/reactions "${AUTH[@]}" --max-time 120 \
		    -F "file=@$f" -F "title=$what"
	fi
	is "$HTTP_STATUS" 201 "$what: 201"
	is "$(json .size_bytes)/$(json .sha256)" "$n/$(sha256sum "$f" | cut -d' ' -f1)" \
	    "$what: size and SHA-256"
	curl -sS -o "$f.back" "$REACTBIN_URL/api/v1/reactions/$(json .id)/file"
	cmp -s "$f" "$f.back"
	ok $? "$what: the stored bytes are the file's"
	rm -f "$f" "$f.back"
}

before=$(state)
for n in $SIZES; do
	for form in raw multipart; do
		make_file "$n" "$work/rt"
		round_trip "$form" "$work/rt"
	done
done
is "$(s3_uploads | wc -l)" 0 "no multipart upload is left incomplete"
is "$(sql 'SELECT count(*) FROM storage_deletions')" 0 \
    "no intent is left by the uploads that were stored"

# One byte is no file of ours: 415, and nothing stored.
printf 'x' >"$work/one"
before=$(state)
request POST /api/v1/reactions "${AUTH[@]}" --data-binary "@$work/one"
is "$HTTP_STATUS" 415 "a file of 1 B: 415"
is "$(state)" "$before" "a file of 1 B: the bucket and the table as before"

# --- A type none of ours is answered from its first bytes ------------------

head -c "$TEXT_BYTES" /dev/zero | tr '\0' 'a' >"$work/text"
for form in raw multipart; do
	if [ "$form" = raw ]; then
		set -- --data-binary "@$work/text"
	else
		set -- -F "file=@$work/text"
	fi
	out=$(curl -sS -o "$work/text.answer" -w '%{http_code} %{size_upload}' \
	    --max-time 60 --limit-rate "$TEXT_RATE" -H 'Expect:' "${AUTH[@]}" \
	    "$@" "$REACTBIN_URL/api/v1/reactions") || out="000 0"
	is "${out% *}" 415 "$form, 20 MB of text: 415"
	ok "$([ "${out#* }" -lt $((TEXT_BYTES / 4)) ] && echo 0 || echo 1)" \
	    "$form, 20 MB of text: answered before the body was read (sent ${out#* } bytes)"
done
set --
is "$(state)" "$before" "the refused uploads left nothing"

# --- Uploads cut short ------------------------------------------------------

make_file "$CUT_BYTES" "$work/cut"
# cut FORM BYTES NAME: send the upload's first BYTES bytes of body, close.
cut() {
	local out
	out=$(python3 "$here/../lib/cut-upload.py" "$PORT" "$TOKEN" "$1" \
	    "$work/cut" "$2")
	like "$out" "^sent=$2 " "$1, cut $3: the client sent $2 bytes and left"
}
# The multipart form's bytes before the file (cut-upload.py's layout).
form_head=$(python3 -c 'print(len(
    b"--cutUploadBoundary7\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\ncut\r\n"
    b"--cutUploadBoundary7\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n"
    b"Content-Type: image/png\r\n\r\n"))')
before=$(state)
for form in raw multipart; do
	offset=0
	[ "$form" = multipart ] && offset=$form_head
	cut "$form" 5 "in its first bytes"
	cut "$form" $((offset + 2 * MIB)) "mid-part"
	cut "$form" $((offset + PART)) "between parts"
	cut "$form" $((offset + 2 * PART + 1000)) "in the last part"
done
cut raw $((CUT_BYTES - 1)) "one byte short"
cut multipart $((form_head + CUT_BYTES + 8)) "in the closing boundary"
service_log_wait 'status=' # the access lines come in batches
ok "$(sweep_all; echo $?)" "the sweepers took every intent the cut uploads left"
is "$(state)" "$before" "cut uploads: no object, no incomplete upload, no row"

# The same bytes again and again: 409, and what each sent is dropped (a
# PUT under way that its upload gives up must not take a worker down).
make_file $((PART + 1)) "$work/dup"
request POST /api/v1/reactions "${AUTH[@]}" --data-binary "@$work/dup"
is "$HTTP_STATUS" 201 "a file stored once"
dups=0
for _ in $(seq 1 "$DUPLICATES"); do
	request POST /api/v1/reactions "${AUTH[@]}" --data-binary "@$work/dup"
	[ "$HTTP_STATUS" = 409 ] && dups=$((dups + 1))
done
is "$dups" "$DUPLICATES" "$DUPLICATES uploads of the same bytes: all 409"
make_file 2000 "$work/dup"
request POST /api/v1/reactions "${AUTH[@]}" --data-binary "@$work/dup"
dups=0
for _ in $(seq 1 "$DUPLICATES"); do
	request POST /api/v1/reactions "${AUTH[@]}" --data-binary "@$work/dup"
	[ "$HTTP_STATUS" = 409 ] && dups=$((dups + 1))
done
is "$dups" "$DUPLICATES" "$DUPLICATES uploads of the same small bytes: all 409"
before=$(state)
is "$(s3_uploads | wc -l)" 0 "the duplicates left no incomplete upload"
is "$(grep -c 'fatal\|exited with status' "$REACTBIN_OUT")" 0 \
    "no worker died on the way"

# --- A worker killed in the middle of an upload -----------------------------

make_file "$KILL_BYTES" "$work/kill"
curl -sS -o /dev/null --max-time 120 --limit-rate "$KILL_RATE" -H 'Expect:' \
    "${AUTH[@]}" --data-binary "@$work/kill" "$REACTBIN_URL/api/v1/reactions" \
    >/dev/null 2>&1 &
killed_client=$!
# Once its first part is on its way, S3 holds an incomplete upload.
for _ in $(seq 1 200); do
	[ "$(s3_uploads | wc -l)" -gt 0 ] && break
	sleep 0.1
done
is "$(s3_uploads | wc -l)" 1 "a multipart upload is under way while the client sends"
intent=$(sql 'SELECT object_key FROM storage_deletions')
like "$intent" '^reactions/' "its intent is recorded"
for w in $(workers_of "$REACTBIN_PID"); do
	kill -KILL "$w"
done
wait "$killed_client" 2>/dev/null
for _ in $(seq 1 100); do
	[ "$(workers_of "$REACTBIN_PID" | wc -w)" -ge 2 ] &&
	    curl -fs -o /dev/null "$REACTBIN_URL/api/v1/health" && break
	sleep 0.1
done
is "$(s3_uploads | wc -l)" 1 "after the kill, S3 still holds the dead upload's parts"
ok "$(sweep_all; echo $?)" "the sweeper took the dead upload's intent"
is "$(s3_uploads)" "" "the sweeper aborted the dead upload"
is "$(state)" "$before" "a killed upload: no object, no incomplete upload, no row"
rm -f "$work/kill" "$work/cut"

service_stop TERM

# --- S3 slower than the clients ------------------------------------------

s3_port=${S3_ENDPOINT_URL##*:}
proxy_port=$(free_port)
python3 "$here/../lib/slow-proxy.py" "$proxy_port" "$s3_port" \
    "$SLOW_S3_RATE" "$work/proxy.ready" &
proxy_pid=$!
for _ in $(seq 1 50); do [ -s "$work/proxy.ready" ] && break; sleep 0.1; done
# The bound is the upload path's own: the derivative queue, which fetches
# each new original whole to decode it, has its own (tests/bench/derive.sh
# measures it) and is off here, so that what is measured is the uploads.
service_start stream-slow "S3_ENDPOINT_URL=http://127.0.0.1:$proxy_port" \
    DERIVATIVES_ENABLED=false ||
    { echo "Bail out! reactbin behind the slow proxy did not start"; exit 1; }

# Every worker up (service_start waits for the first to answer).
for _ in $(seq 1 100); do
	[ "$(workers_of "$REACTBIN_PID" | wc -w)" -ge "${REACTBIN_WORKERS:-2}" ] && break
	sleep 0.1
done
declare -A idle
for w in $(workers_of "$REACTBIN_PID"); do
	idle[$w]=$(kib "$w" VmRSS)
	echo 5 >"/proc/$w/clear_refs"
done
pids=()
for i in $(seq 1 "$SLOW_UPLOADS"); do
	make_file "$SLOW_BYTES" "$work/slow-$i"
	curl -sS -o "$work/slow-$i.json" -w '%{http_code}\n' --max-time 120 \
	    "${AUTH[@]}" --data-binary "@$work/slow-$i" \
	    "$REACTBIN_URL/api/v1/reactions" >"$work/slow-$i.status" &
	pids+=($!)
done
wait "${pids[@]}"
is "$(cat "$work"/slow-*.status | sort | uniq -c | tr -s ' ')" " $SLOW_UPLOADS 201" \
    "$SLOW_UPLOADS uploads of 20 MB through a slow S3: all stored"
curl -sS -o "$work/slow-1.back" \
    "$REACTBIN_URL/api/v1/reactions/$(jq -r .id "$work/slow-1.json")/file"
cmp -s "$work/slow-1" "$work/slow-1.back"
ok $? "through a slow S3: the stored bytes are the file's"
for w in "${!idle[@]}"; do
	peak=$(kib "$w" VmHWM)
	growth=$((peak - idle[$w]))
	if [ "$sanitized" = 1 ]; then
		diag "worker $w: peak $peak KiB, idle ${idle[$w]} KiB (ASan: not checked)"
		continue
	fi
	ok "$([ "$growth" -le "$RSS_BOUND_KIB" ] && echo 0 || echo 1)" \
	    "worker $w: peak RSS $((growth / 1024)) MiB over idle, within $((RSS_BOUND_KIB / 1024)) MiB"
done
rm -f "$work"/slow-*

done_testing
