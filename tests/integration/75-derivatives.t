#!/usr/bin/env bash
# Derivatives (issue 10): thumbnails, animated previews, clip metadata and
# near-duplicates, made by the queue in derive.c.
#
#   1. Generation off: an upload answers as always, with thumbnail_url,
#      preview_url, duration_ms and similar null; the thumbnail and the
#      preview are 404 and the job waits in the queue.
#   2. S3 refused during generation: the job is retried with backoff (a
#      warning), and done by an instance that reaches S3.
#   3. A worker killed (-9) in the middle of a job (its fetch held up by a
#      frozen S3): the job is done once, later, by another; the reactions
#      of the library as it was (no queue row) are backfilled at start-up.
#   4. Every type, made by ImageMagick and ffmpeg: a WebP thumbnail
#      (decoded back with vipsheader: longest side 320, aspect within a
#      pixel), a preview of more than one frame where animated, clips with
#      width, height and duration; the file endpoint's headers (ETag of the
#      derivative's bytes, immutable caching, 304, ranges, HEAD).
#   5. Near-duplicates: the same picture as JPEG at quality 70, resized to
#      90 % and as a GIF is found (the 201 says so, and /similar); two
#      unrelated pictures are not; the hashes' copy the search reads
#      follows every insert, update and delete of reactions, 20,000 rows
#      at once among them; bad parameters are 400.
#   6. Hostile files the sniffer lets through (a VP8 frame declaring
#      16383 x 16383 in a 16 x 16 WebM, a PNG with half its pixel data, an
#      MP4 whose frames are zeros, a GIF whose image data is an HTML page)
#      end as "no thumbnail" with one warning line each; a GIF of 1000
#      frames gets a preview of at most 30; the service stays healthy.
#   7. Delete: no derivative is left behind, and the bucket holds exactly
#      the objects of the live rows and of the deletion queue.
#
# PostgreSQL and S3 are private to this script (S3 is frozen, workers are
# killed). Every wait is bounded.
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

need_tools convert ffmpeg vipsheader psql jq python3 sha256sum

pg_state="$REACTBIN_TEST_TMP/derive-pg"
s3_state="$REACTBIN_TEST_TMP/derive-s3"
work=$(mktemp -d "$REACTBIN_TEST_TMP/derive.XXXXXX")
export REACTBIN_WORKERS=2

EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
THUMB_SIDE=320
PREVIEW_FRAMES_MAX=30
DEFAULT_DISTANCE=8
# Hashed rows enough for the search to read its index (below).
PHASH_ROWS=20000
# Bounded waits, in seconds: a derivation (the slowest under the
# sanitizers), a retry's backoff, and a lease that a killed worker left
# (30 s) with a tick to spare.
DERIVE_SECONDS=60
RETRY_SECONDS=30
LEASE_SECONDS=60

instances=()
rgw=
cleanup() {
	[ -z "$rgw" ] || kill -CONT "$rgw" 2>/dev/null
	service_stop_each "${instances[@]}"
	private_stop
}
trap cleanup EXIT

private_pg "$pg_state" "$work/pg.log"
private_s3 "$s3_state" "$work/s3.log"
rgw_pid=$(awk '$2 == "client.rgw" { print $1 }' "$s3_state/pids")

PSQL_URL=${DATABASE_URL/+asyncpg/}
sql() { psql "$PSQL_URL" -XAtq -v ON_ERROR_STOP=1 -c "$1" 2>/dev/null; }

start() {
	service_start "$@" || return 1
	instances+=("$REACTBIN_PID")
}

# Every key in the bucket, one a line (fewer than a listing's 1000 here).
bucket_keys() {
	local listing
	listing=$(curl -sS --max-time 30 --aws-sigv4 "aws:amz:$S3_REGION:s3" \
	    --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" \
	    -H "x-amz-content-sha256: $EMPTY_SHA256" \
	    "$S3_ENDPOINT_URL/$S3_BUCKET_NAME?list-type=2") || return 1
	case "$listing" in
	*"<ListBucketResult"*) ;;
	*) return 1 ;;
	esac
	grep -o '<Key>[^<]*</Key>' <<<"$listing" | sed 's/<[^>]*>//g' | sort
}

# upload FILE [TITLE]: POST the raw bytes; the id in UP_ID (or nothing).
upload() {
	UP_ID=
	request POST "/api/v1/reactions?title=${2:-derive}" "${A[@]}" \
	    --data-binary "@$1"
	[ "$HTTP_STATUS" = 201 ] && UP_ID=$(json .id)
}

# derived ID: the queue is done with the reaction (made or refused).
derived() {
	[ "$(sql "SELECT derived_at IS NOT NULL FROM reactions WHERE id = '$1'")" = t ]
}

# the log lines of every instance so far
logs() { cat "$REACTBIN_TEST_TMP"/derive-*/stdout "$REACTBIN_TEST_TMP"/derive-*/stderr 2>/dev/null; }
count_lines() { logs | grep -c -- "$1"; }
logged() { logs | grep -q -- "$1"; }

# --- samples -------------------------------------------------------------------

FF=(ffmpeg -hide_banner -loglevel error -y)
{
	convert -size 1920x1080 gradient:red-blue -swirl 90 "$work/still.jpg" &&
	convert -size 1000x1000 plasma:fractal -seed 4 "$work/still.png" &&
	convert -size 700x300 gradient:yellow-green -swirl 180 "$work/still.webp" &&
	convert -size 300x500 gradient:white-black -swirl 45 "$work/still.gif" &&
	"${FF[@]}" -f lavfi -i "testsrc=size=480x270:rate=10:duration=10" \
	    -c:v gif "$work/anim.gif" &&
	"${FF[@]}" -f lavfi -i "testsrc2=size=400x300:rate=10:duration=2" \
	    -c:v libwebp_anim -loop 0 "$work/anim.webp" &&
	"${FF[@]}" -f lavfi -i "testsrc=size=640x360:rate=25:duration=4" \
	    -c:v libx264 -pix_fmt yuv420p "$work/clip.mp4" &&
	"${FF[@]}" -f lavfi -i "testsrc2=size=360x640:rate=25:duration=3" \
	    -c:v libvpx -b:v 200k "$work/clip.webm" &&
	"${FF[@]}" -f lavfi -i "testsrc=size=320x240:rate=10:duration=1" \
	    -c:v libx264 -pix_fmt yuv420p "$work/short.mp4" &&
	"${FF[@]}" -f lavfi -i "testsrc=size=200x200:rate=50:duration=20" \
	    -c:v gif "$work/many.gif" &&
	"${FF[@]}" -f lavfi -i "testsrc=size=16x16:rate=5:duration=1" \
	    -c:v libvpx -b:v 20k "$work/small.webm" &&
	"${FF[@]}" -f lavfi -i "testsrc=size=16x16:rate=5:duration=1" \
	    -c:v libx264 -pix_fmt yuv420p "$work/small.mp4" &&
	convert -size 64x64 xc: +noise Random "$work/small.png" &&
	# Near-duplicates of one picture, and two strangers.
	convert -size 640x480 plasma:fractal -seed 7 "$work/base.png" &&
	convert "$work/base.png" -quality 70 "$work/base-q70.jpg" &&
	convert "$work/base.png" -resize 90% "$work/base-90.png" &&
	convert "$work/base.png" "$work/base.gif" &&
	convert -size 640x480 plasma:fractal -seed 99 "$work/other.png" &&
	convert -size 640x480 pattern:checkerboard -swirl 60 "$work/pattern.png" &&
	for f in pending legacy kill retry; do
		convert -size 120x90 xc: +noise Random "$work/$f.png" || exit 1
	done
} || { echo "Bail out! could not make the samples"; exit 1; }

# The hostile ones, from the small ones.
python3 - "$work" <<'EOF' || { echo "Bail out! could not make the hostile samples"; exit 1; }
import struct, sys, zlib
w = sys.argv[1]
# A VP8 key frame whose header says 16383 x 16383, in a WebM that says 16 x 16.
d = bytearray(open(w + "/small.webm", "rb").read())
i = d.find(b"\x9d\x01\x2a")
d[i + 3:i + 7] = b"\xff\x3f\xff\x3f"
open(w + "/bomb.webm", "wb").write(d)
# A PNG with half of its pixel data (chunk lengths and CRCs right).
p = open(w + "/small.png", "rb").read()
out, pos = p[:8], 8
while pos < len(p):
    n = struct.unpack(">I", p[pos:pos + 4])[0]
    t, data = p[pos + 4:pos + 8], p[pos + 8:pos + 8 + n]
    if t == b"IDAT":
        data = data[:len(data) // 2]
    out += struct.pack(">I", len(data)) + t + data
    out += struct.pack(">I", zlib.crc32(t + data) & 0xffffffff)
    pos += 12 + n
open(w + "/truncated.png", "wb").write(out)
# An MP4 whose media data is all zeros.
m = bytearray(open(w + "/small.mp4", "rb").read())
pos = 0
while pos < len(m):
    n = struct.unpack(">I", m[pos:pos + 4])[0]
    if m[pos + 4:pos + 8] == b"mdat":
        m[pos + 8:pos + n] = bytes(n - 8)
    pos += n
open(w + "/zeros.mp4", "wb").write(m)
# A GIF and an HTML page at once: the image data is the page.
html = b"<html><script>alert(document.cookie)</script></html>"
blocks = b"".join(bytes([len(html[k:k + 255])]) + html[k:k + 255]
                  for k in range(0, len(html), 255))
g = (b"GIF89a" + struct.pack("<HH", 16, 16) + b"\x80\x00\x00"
     + b"\x00\x00\x00\xff\xff\xff" + b"\x2c" + struct.pack("<HHHH", 0, 0, 16, 16)
     + b"\x00" + b"\x02" + blocks + b"\x00" + b"\x3b")
open(w + "/polyglot.gif", "wb").write(g)
EOF

# --- 1. generation off -------------------------------------------------------------

start derive-off DERIVATIVES_ENABLED=false ||
    { echo "Bail out! reactbin did not start"; exit 1; }
owner_login
A=(-H "Authorization: Bearer $token")

upload "$work/pending.png" pending; P=$UP_ID
is "$HTTP_STATUS" 201 "generation off: the upload answers 201"
is "$(json '[.thumbnail_url, .preview_url, .duration_ms, .similar] | map(. == null) | all')" true \
    "thumbnail_url, preview_url, duration_ms and similar are null"
upload "$work/legacy.png" legacy; L=$UP_ID
upload "$work/kill.png" kill; K=$UP_ID
upload "$work/retry.png" retry; R=$UP_ID
[[ $P =~ ^[0-9a-f-]{36}$ && $L =~ ^[0-9a-f-]{36}$ && $K =~ ^[0-9a-f-]{36}$ && $R =~ ^[0-9a-f-]{36}$ ]] ||
    { echo "Bail out! uploads failed"; exit 1; }
for what in thumbnail preview; do
	request GET "/api/v1/reactions/$P/$what"
	is "$HTTP_STATUS $(json .error.code)" "404 not_found" "GET $what while not made: 404 JSON"
	request HEAD "/api/v1/reactions/$P/$what"
	is "$HTTP_STATUS" 404 "HEAD $what while not made: 404"
done
is "$(sql "SELECT count(*) FROM derivative_jobs")" 4 "the four jobs wait in the queue"
# The library as it was before derivatives: no queue row at all.
sql "DELETE FROM derivative_jobs WHERE reaction_id = '$L'" >/dev/null
service_stop TERM

# --- 2. S3 refused during generation ------------------------------------------------

closed_port=$(free_port)
start derive-down "S3_ENDPOINT_URL=http://127.0.0.1:$closed_port" ||
    { echo "Bail out! the instance with a closed S3 port did not start"; exit 1; }
down_err=$REACTBIN_ERR
ok "$(wait_secs "$RETRY_SECONDS" grep -q "event=derive_retry id=$R .*reason=fetch" "$down_err"; echo $?)" \
    "S3 refused: the job is given back with a warning (derive_retry reason=fetch)"
is "$(sql "SELECT attempts >= 1 AND due_at > now() FROM derivative_jobs WHERE reaction_id = '$R'")" t \
    "and is due again later (backoff)"
ok "$(! derived "$R"; echo $?)" "nothing is recorded while S3 is away"
service_stop TERM

# --- 3. a worker killed mid-job; the backfill ----------------------------------------

# S3 frozen: the next fetch hangs, so a worker is killed inside its job;
# the other jobs wait until then, so that it is this one a worker takes.
sql "UPDATE derivative_jobs SET due_at = CASE WHEN reaction_id = '$K'
    THEN now() ELSE now() + interval '1 hour' END" >/dev/null
kill -STOP "$rgw_pid" && rgw=$rgw_pid
start derive-main || { echo "Bail out! reactbin did not start"; exit 1; }
main_out=$REACTBIN_OUT
ok "$(wait_secs "$RETRY_SECONDS" grep -q "event=derive_started id=$K" "$main_out"; echo $?)" \
    "a worker starts the job (its fetch held up by the frozen S3)"
victim=$(grep -o "event=derive_started id=$K .* pid=[0-9]*" "$main_out" | head -n 1 | sed 's/.*pid=//')
kill -KILL "$victim" 2>/dev/null
ok $? "the worker ($victim) is killed with SIGKILL in the middle of it"
kill -CONT "$rgw_pid"
rgw=
sql "UPDATE derivative_jobs SET due_at = now() WHERE reaction_id <> '$K'" >/dev/null
is "$(count_lines "event=derive_done id=$K")" 0 "the job was not done when the worker died"
ok "$(wait_secs "$LEASE_SECONDS" derived "$K"; echo $?)" "the job is done later, by another worker"
# Info lines reach the log up to a flush interval after the row is
# recorded (log.c): wait for the line before counting them.
wait_secs "$RETRY_SECONDS" logged "event=derive_done id=$K"
is "$(count_lines "event=derive_done id=$K")" 1 "exactly once"
is "$(sql "SELECT count(*) FROM derivative_jobs WHERE reaction_id = '$K'")" 0 "and leaves the queue"
ok "$(wait_secs "$DERIVE_SECONDS" derived "$R"; echo $?)" "the job S3 refused is done once S3 answers"
ok "$(wait_secs "$DERIVE_SECONDS" derived "$P"; echo $?)" "the job made while generation was off is done"
ok "$(wait_secs "$DERIVE_SECONDS" derived "$L"; echo $?)" \
    "the reaction without a queue row is enqueued at start-up and done"
request GET "/api/v1/reactions/$L" "${A[@]}"
like "$(json .thumbnail_url)" "/api/v1/reactions/$L/thumbnail\$" "it has its thumbnail_url"

# --- 4. every type ---------------------------------------------------------------------

# check_thumb ID WIDTH HEIGHT: the thumbnail is a WebP whose longest side
# is 320 and whose aspect is the source's within a pixel.
check_thumb() {
	local id=$1 w=$2 h=$3 tw th loader want
	curl -sS -o "$work/$id.thumb" --max-time 30 "$REACTBIN_URL/api/v1/reactions/$id/thumbnail" || return 1
	loader=$(vipsheader -f vips-loader "$work/$id.thumb" 2>/dev/null)
	tw=$(vipsheader -f width "$work/$id.thumb" 2>/dev/null)
	th=$(vipsheader -f height "$work/$id.thumb" 2>/dev/null)
	[ "$loader" = webpload ] || { diag "$id: loader $loader"; return 1; }
	if [ "$w" -ge "$h" ]; then
		want=$(((h * THUMB_SIDE + w / 2) / w))
		[ "$tw" = "$THUMB_SIDE" ] && [ "$((th - want))" -le 1 ] && [ "$((want - th))" -le 1 ]
	else
		want=$(((w * THUMB_SIDE + h / 2) / h))
		[ "$th" = "$THUMB_SIDE" ] && [ "$((tw - want))" -le 1 ] && [ "$((want - tw))" -le 1 ]
	fi || { diag "$id: ${w}x$h -> ${tw}x$th"; return 1; }
}

# preview_pages ID: the preview's frame count, after checking its size.
preview_pages() {
	local id=$1 pw ph
	curl -sS -o "$work/$id.preview" --max-time 30 "$REACTBIN_URL/api/v1/reactions/$id/preview" || return 1
	[ "$(vipsheader -f vips-loader "$work/$id.preview" 2>/dev/null)" = webpload ] || return 1
	pw=$(vipsheader -f width "$work/$id.preview" 2>/dev/null)
	ph=$(vipsheader -f height "$work/$id.preview" 2>/dev/null)
	[ "$pw" -le "$THUMB_SIDE" ] && [ "$ph" -le "$THUMB_SIDE" ] || return 1
	vipsheader -f n-pages "$work/$id.preview" 2>/dev/null
}

declare -A ids=()
for f in still.jpg still.png still.webp still.gif anim.gif anim.webp clip.mp4 clip.webm short.mp4; do
	upload "$work/$f" "$f"; ids[$f]=$UP_ID
	[ -n "${ids[$f]}" ] || diag "upload of $f: $HTTP_STATUS $HTTP_BODY"
done
for f in still.jpg still.png still.webp still.gif anim.gif anim.webp clip.mp4 clip.webm short.mp4; do
	id=${ids[$f]}
	wait_secs "$DERIVE_SECONDS" derived "$id"
	request GET "/api/v1/reactions/$id" "${A[@]}"
	w=$(json .width)
	h=$(json .height)
	ok "$(check_thumb "$id" "$w" "$h"; echo $?)" "$f (${w}x$h): a WebP thumbnail, longest side 320, aspect within a pixel"
	case $f in
	still.*)
		is "$(json '[.preview_url, .duration_ms] | map(. == null) | all')" true \
		    "$f: no preview, no duration" ;;
	*)
		pages=$(preview_pages "$id")
		ok "$([ "${pages:-0}" -gt 1 ] && [ "$pages" -le "$PREVIEW_FRAMES_MAX" ]; echo $?)" \
		    "$f: an animated WebP preview of $pages frames (2-$PREVIEW_FRAMES_MAX), at most 320 px" ;;
	esac
done
request GET "/api/v1/reactions/${ids[clip.mp4]}" "${A[@]}"
is "$(json '[.width, .height, .duration_ms] | map(tostring) | join(" ")')" "640 360 4000" \
    "clip.mp4: width, height and duration_ms from the container"
request GET "/api/v1/reactions/${ids[clip.webm]}" "${A[@]}"
is "$(json '[.width, .height] | map(tostring) | join(" ")')" "360 640" "clip.webm: width and height"
like "$(json .duration_ms)" '^(29[0-9][0-9]|30[0-9][0-9])$' "clip.webm: duration_ms about 3000 ($(json .duration_ms))"
request GET "/api/v1/reactions/${ids[anim.gif]}" "${A[@]}"
is "$(json .duration_ms)" 10000 "anim.gif: duration_ms is the sum of its delays"
request GET "/api/v1/reactions/${ids[short.mp4]}" "${A[@]}"
is "$(json .duration_ms)" 1000 "short.mp4: duration_ms"

# The file endpoint's headers, for a derivative.
id=${ids[still.jpg]}
sum=$(sha256sum "$work/$id.thumb" | cut -d' ' -f1)
size=$(stat -c %s "$work/$id.thumb")
# A GET whose body is binary: only its head is kept (as http.sh keeps it).
get_head() {
	HTTP_STATUS=$(curl -sS -o /dev/null -D "$work/head" -w '%{http_code}' \
	    --max-time 30 "$REACTBIN_URL$1") || HTTP_STATUS=000
	HTTP_HEADERS=$(tr -d '\r' <"$work/head" |
	    awk -F': ' 'NF > 1 { printf "%s: %s\n", tolower($1), substr($0, length($1) + 3) }')
}
get_head "/api/v1/reactions/$id/thumbnail"
is "$HTTP_STATUS $(header content-type) $(header content-length)" "200 image/webp $size" \
    "thumbnail: 200, image/webp, its length"
is "$(header etag)" "\"$sum\"" "thumbnail: the ETag is the SHA-256 of its bytes"
like "$(header cache-control)" "immutable" "thumbnail: cached as immutable"
is "$(header accept-ranges)" bytes "thumbnail: accepts ranges"
request GET "/api/v1/reactions/$id/thumbnail" -H "If-None-Match: \"$sum\""
is "$HTTP_STATUS" 304 "thumbnail: If-None-Match with its ETag is 304"
curl -sS -o "$work/range" -D "$work/range.h" -H 'Range: bytes=0-9' "$REACTBIN_URL/api/v1/reactions/$id/thumbnail"
is "$(head -n 1 "$work/range.h" | tr -d '\r' | cut -d' ' -f2) $(stat -c %s "$work/range")" "206 10" \
    "thumbnail: a range is 206 with its bytes"
cmp -s "$work/range" <(head -c 10 "$work/$id.thumb")
ok $? "the bytes of the range are the thumbnail's first ten"
like "$(tr -d '\r' <"$work/range.h" | grep -i '^content-range')" "bytes 0-9/$size" "and Content-Range says so"
request HEAD "/api/v1/reactions/$id/thumbnail"
is "$HTTP_STATUS $(header content-length)" "200 $size" "HEAD thumbnail: 200 with its length"
request GET "/api/v1/reactions/$id/preview"
is "$HTTP_STATUS" 404 "a still has no preview: 404"
is "$(json .error.code)" not_found "with a JSON error"
id=${ids[anim.gif]}
psum=$(sha256sum "$work/$id.preview" | cut -d' ' -f1)
request HEAD "/api/v1/reactions/$id/preview"
is "$HTTP_STATUS $(header etag) $(header content-type)" "200 \"$psum\" image/webp" \
    "preview: HEAD 200 with the ETag of its bytes"
is "$(sql "SELECT thumbnail_key || ' ' || preview_key FROM reactions WHERE id = '$id'")" \
    "derivatives/$id/thumbnail.webp derivatives/$id/preview.webp" "the keys are made from the reaction's id"

# --- 5. near-duplicates --------------------------------------------------------------

upload "$work/base.png" base; B=$UP_ID
for f in base-q70.jpg base-90.png base.gif; do
	upload "$work/$f" "$f"; dup=$UP_ID
	is "$(jq -r --arg b "$B" '[.similar[] | select(.reaction.id == $b)] | length' <<<"$HTTP_BODY")" 1 \
	    "the 201 of $f names the original among its near-duplicates"
	declare "dup_${f//[.-]/_}=$dup"
done
upload "$work/other.png" other; O=$UP_ID
is "$(jq -r --arg b "$B" '[.similar[] | select(.reaction.id == $b)] | length' <<<"$HTTP_BODY")" 0 \
    "the 201 of an unrelated picture does not"
upload "$work/pattern.png" pattern; T=$UP_ID
request GET "/api/v1/reactions/$B/similar" "${A[@]}"
is "$HTTP_STATUS $(json .hashed) $(json .max_distance)" "200 true $DEFAULT_DISTANCE" "GET similar: 200, hashed, distance 8 by default"
found=$(json '[.items[].reaction.id] | join(" ")')
# shellcheck disable=SC2154 # declared above
for want in "$dup_base_q70_jpg" "$dup_base_90_png" "$dup_base_gif"; do
	like "$found" "$want" "the JPEG at quality 70, the 90 % resize and the GIF are found"
done
unlike "$found" "$O|$T" "the unrelated pictures are not"
is "$(json '[.items[].distance] | . == sort')" true "closest first"
is "$(json '[.items[].distance] | all(. <= 8)')" true "every distance within max_distance"
diag "distances: $(json '[.items[] | .reaction.title + "=" + (.distance | tostring)] | join(", ")')"
request GET "/api/v1/reactions/$B/similar?max_distance=64&limit=2" "${A[@]}"
is "$HTTP_STATUS $(json '.items | length')" "200 2" "limit caps the list"
# The searches compare the hashes in reaction_hashes (migration 8), a
# narrow copy of reactions.phash that triggers keep, not in the rows (80
# ms for an upload at 100,000 reactions without it). The copy is checked
# against the rows after the uploads above (hashed at the insert) and the
# queue's updates, then after rows written straight into the table in one
# statement, hashed far from everything above (every bit set: no test
# picture hashes so), which a search must pass over, and after their
# delete. A search reads the copy: its scans are counted once the
# statistics are flushed (about once a second).
MIRROR_SQL="SELECT count(*) FILTER (WHERE r.phash IS DISTINCT FROM h.phash OR r.created_at IS DISTINCT FROM h.created_at) || ' ' || count(h.id) FROM reactions r FULL JOIN reaction_hashes h ON h.id = r.id WHERE r.phash IS NOT NULL OR h.id IS NOT NULL"
hashed=$(sql "SELECT count(*) FROM reactions WHERE phash IS NOT NULL")
is "$(sql "$MIRROR_SQL")" "0 $hashed" "reaction_hashes holds the hash of each of the $hashed hashed reactions, and nothing else"
scans_before=$(sql "SELECT coalesce(seq_scan, 0) FROM pg_stat_user_tables WHERE relname = 'reaction_hashes'")
sql "INSERT INTO reactions (id, title, tags, media_type, size_bytes, width, height, sha256, object_key, phash, derived_at) SELECT gen_random_uuid(), 'hashed ' || g, '{}', 'image/png', 1, 1, 1, encode(sha256(('phash-' || g)::bytea), 'hex'), 'hashed/' || g, -1, now() FROM generate_series(1, $PHASH_ROWS) g" >/dev/null
is "$(sql "$MIRROR_SQL")" "0 $((hashed + PHASH_ROWS))" "and of $PHASH_ROWS more written in one statement"
request GET "/api/v1/reactions/$B/similar" "${A[@]}"
is "$HTTP_STATUS $(json '[.items[].reaction.title | select(startswith("hashed "))] | length')" "200 0" \
    "a search among them finds none of them near"
like "$(json '[.items[].reaction.id] | join(" ")')" "$dup_base_gif" "and still finds the GIF"
scans=${scans_before:-0}
for _ in $(seq 1 50); do
	scans=$(sql "SELECT coalesce(seq_scan, 0) FROM pg_stat_user_tables WHERE relname = 'reaction_hashes'")
	[ "${scans:-0}" -gt "${scans_before:-0}" ] && break
	sleep 0.2
done
[ "${scans:-0}" -gt "${scans_before:-0}" ]
ok $? "the search read reaction_hashes (scans: ${scans_before:-none} before, ${scans:-none} after)"
sql "UPDATE reactions SET phash = NULL WHERE object_key = 'hashed/1'" >/dev/null
sql "UPDATE reactions SET phash = 7 WHERE object_key = 'hashed/2'" >/dev/null
is "$(sql "$MIRROR_SQL")" "0 $((hashed + PHASH_ROWS - 1))" "a hash set to NULL leaves the copy, a changed one changes in it"
is "$(sql "WITH d AS (DELETE FROM reactions WHERE object_key LIKE 'hashed/%' RETURNING 1) SELECT count(*) FROM d")" \
    "$PHASH_ROWS" "the written rows are removed"
is "$(sql "$MIRROR_SQL")" "0 $hashed" "and their hashes with them"
for q in max_distance=65 max_distance=-1 max_distance=x limit=0 'max_distance=1&max_distance=2'; do
	request GET "/api/v1/reactions/$B/similar?$q" "${A[@]}"
	is "$HTTP_STATUS $(json .error.code)" "400 bad_request" "similar?$q: 400 JSON"
done
request GET "/api/v1/reactions/$B/similar"
is "$HTTP_STATUS" 401 "similar without a token: 401"
request GET "/api/v1/reactions/00000000-0000-4000-8000-000000000000/similar" "${A[@]}"
is "$HTTP_STATUS" 404 "similar of an unknown reaction: 404"

# --- 6. hostile files ------------------------------------------------------------------

deaths_before=$(grep -cE 'died|exited with status' "$main_out")
declare -A bad=()
for f in bomb.webm truncated.png zeros.mp4 polyglot.gif; do
	upload "$work/$f" "$f"; bad[$f]=$UP_ID
	is "$HTTP_STATUS" 201 "$f passes the sniffer (201)"
done
for f in bomb.webm truncated.png zeros.mp4 polyglot.gif; do
	id=${bad[$f]}
	ok "$(wait_secs "$DERIVE_SECONDS" derived "$id"; echo $?)" "$f: the queue is done with it"
	request GET "/api/v1/reactions/$id" "${A[@]}"
	is "$HTTP_STATUS $(json .thumbnail_url) $(json .preview_url)" "200 null null" "$f: a valid reaction without thumbnail"
	request GET "/api/v1/reactions/$id/thumbnail"
	is "$HTTP_STATUS" 404 "$f: its thumbnail is 404"
	is "$(count_lines "event=derive_refused id=$id")" 1 "$f: one warning line ($(logs | grep -o "event=derive_refused id=$id.*" | cut -c60-))"
done
upload "$work/many.gif" many; M=$UP_ID
wait_secs "$DERIVE_SECONDS" derived "$M"
pages=$(preview_pages "$M")
ok "$([ "${pages:-0}" -gt 1 ] && [ "$pages" -le "$PREVIEW_FRAMES_MAX" ]; echo $?)" \
    "a GIF of 1000 frames gets a preview of $pages frames, within the frame budget"
request GET /api/v1/health
is "$HTTP_STATUS" 200 "the service is healthy"
is "$(grep -cE 'died|exited with status' "$main_out")" "$deaths_before" "no worker died"

# --- 7. delete -----------------------------------------------------------------------

id=${ids[anim.gif]}
request DELETE "/api/v1/reactions/$id" "${A[@]}"
is "$HTTP_STATUS" 204 "delete an animated reaction: 204"
ok "$(wait_secs "$DERIVE_SECONDS" sh -c "! curl -sS --max-time 30 --aws-sigv4 'aws:amz:$S3_REGION:s3' \
    --user '$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY' -H 'x-amz-content-sha256: $EMPTY_SHA256' \
    '$S3_ENDPOINT_URL/$S3_BUCKET_NAME?list-type=2&prefix=derivatives%2F$id' | grep -q '<Key>'"; echo $?)" \
    "its thumbnail and preview are gone from the bucket"
for f in still.jpg clip.mp4; do
	request DELETE "/api/v1/reactions/${ids[$f]}" "${A[@]}"
done
# The bucket: the originals and derivatives of the live rows, and what the
# deletion queue is still removing, nothing else.
expected() {
	sql "SELECT k FROM (SELECT unnest(ARRAY[object_key, thumbnail_key, preview_key]) k
	    FROM reactions UNION SELECT object_key FROM storage_deletions) x
	    WHERE k IS NOT NULL ORDER BY k" | LC_ALL=C sort
}
same_bucket() { [ "$(bucket_keys | LC_ALL=C sort)" = "$(expected)" ]; }
ok "$(wait_secs "$DERIVE_SECONDS" same_bucket; echo $?)" \
    "the bucket holds exactly the live rows' objects and the deletion queue's"
diag "$(bucket_keys | wc -l) objects for $(sql "SELECT count(*) FROM reactions") reactions"

done_testing
