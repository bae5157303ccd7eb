#!/usr/bin/env bash
# The web app's benchmark (issue 11). Not a test: it prints figures next
# to their targets; tests/run never runs it.
#
#   tests/bench/webapp.sh         (about 4 minutes on 2 cores)
#
# Needs `npm ci` in tests/bench/webapp (lighthouse and puppeteer-core,
# pinned there) and Debian's chromium (CHROME_PATH, /usr/bin/chromium).
# Setup as in run.sh (lib.sh: a prod build in a copy of the tree, a
# throwaway PostgreSQL and S3 server, one instance), then:
#   1. 100 reactions uploaded through the API; once the derivative
#      queue is empty (every thumbnail made, no worker busy with one),
#      Lighthouse on the grid, mobile and desktop presets: performance,
#      accessibility, best practices (target 100 each), and the bytes of
#      the first load before any thumbnail (target 60 KB);
#   2. 99,900 more written straight into the table (100,000 in all);
#      keystrokes in the search box, one at a time, each timed in the
#      page from keydown to the frame after the grid took the answer
#      (target p95 50 ms); the baseline column is the same keys, in the
#      same rounds, with count=true taken out of the app's requests
#      (what the "N reactions" costs).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"

BENCH_APP_REACTIONS=100
BENCH_APP_ROWS=100000
BENCH_APP_TAGS=200
# Big GIFs, as a reaction library holds: the grid shows placeholders.
BENCH_APP_GIF_BYTES=20000000
BENCH_FIRST_LOAD_MAX=61440
# How long the queue may take over the 100 uploads' derivatives.
BENCH_QUEUE_WAIT_S=300

[ -d "$here/webapp/node_modules/lighthouse" ] ||
    bench_die "run 'npm ci' in tests/bench/webapp first"
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
[ -x "$CHROME_PATH" ] || bench_die "needs Debian's chromium (or CHROME_PATH)"
bench_need node

bench_setup

bench_note "uploading $BENCH_APP_REACTIONS reactions"
for i in $(seq 1 "$BENCH_APP_REACTIONS"); do
	f="$BENCH_TMP/app-$i.png"
	convert -size 320x240 "gradient:hsl($((i * 37 % 360)),70%,60%)-hsl($((i * 53 % 360)),70%,35%)" \
	    -gravity center -font DejaVu-Sans-Bold -pointsize 72 -fill white \
	    -annotate 0 "$i" "$f"
	code=$(curl -sS -o /dev/null -w '%{http_code}' \
	    -H "Authorization: Bearer $BENCH_TOKEN" \
	    -H 'content-type: application/octet-stream' --data-binary "@$f" \
	    "$BENCH_URL/api/v1/reactions?title=reaction%20$i&tags=tag$((i % 7)),bench")
	[ "$code" = 201 ] || bench_die "upload $i answered $code"
done

# Lighthouse measures the page, not the queue deriving beside it: wait
# until no job is left and every upload has its thumbnail.
bench_note "waiting for the derivative queue"
waited=0
while :; do
	left=$(psql "$DATABASE_URL" -At -X -c "SELECT (SELECT count(*) FROM derivative_jobs) + (SELECT count(*) FROM reactions WHERE derived_at IS NULL)") ||
	    bench_die "psql failed"
	[ "$left" = 0 ] && break
	[ "$waited" -lt "$BENCH_QUEUE_WAIT_S" ] ||
	    bench_die "the derivative queue still has $left after ${BENCH_QUEUE_WAIT_S} s"
	sleep 1
	waited=$((waited + 1))
done
thumbs=$(psql "$DATABASE_URL" -At -X -c "SELECT count(*) FROM reactions WHERE thumbnail_key IS NOT NULL")
bench_note "queue empty after ${waited} s: $thumbs of $BENCH_APP_REACTIONS with thumbnails"

export BENCH_URL BENCH_TOKEN
bench_note "Lighthouse on the grid, mobile and desktop"
lh=$(cd "$here/webapp" && node bench.js lighthouse)
echo "$lh" >"$BENCH_TMP/lighthouse.json"

bench_note "writing $((BENCH_APP_ROWS - BENCH_APP_REACTIONS)) more reactions into the table"
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL
-- Marked derived: their objects do not exist, and a backfill of the queue
-- must not spend the measurement on them.
INSERT INTO reactions (id, title, tags, media_type, size_bytes, width,
    height, sha256, object_key, created_at, updated_at, derived_at)
SELECT gen_random_uuid(), 'bench reaction ' || g,
    ARRAY(SELECT DISTINCT 'tag' || floor(random() * $BENCH_APP_TAGS)::int
        FROM generate_series(1, 1 + (g % 6)) ORDER BY 1),
    'image/gif', $BENCH_APP_GIF_BYTES, 480, 270,
    encode(sha256(('webapp' || g)::bytea), 'hex'), 'reactions/bench-' || g,
    now() - interval '1 day' - (g || ' seconds')::interval, now(), now()
FROM generate_series(1, $((BENCH_APP_ROWS - BENCH_APP_REACTIONS))) g;
VACUUM ANALYZE reactions;
SQL

bench_note "keystrokes in search at $BENCH_APP_ROWS reactions"
lat=$(cd "$here/webapp" && node bench.js latency)
echo "$lat" >"$BENCH_TMP/latency.json"

for preset in mobile desktop; do
	for c in performance accessibility best-practices; do
		bench_row "Lighthouse $preset: $c" \
		    "$(jq -r ".$preset.scores[\"$c\"]" <<<"$lh")" 100 "target score" 1
	done
	bench_row "Lighthouse $preset: LCP ms" "$(jq -r ".$preset.lcp_ms" <<<"$lh")"
	bench_row "Lighthouse $preset: TBT ms" "$(jq -r ".$preset.tbt_ms" <<<"$lh")"
done
# (bench_row's table has no empty middle field: the limit is the baseline.)
bench_row "first load before thumbnails, bytes" \
    "$(jq -r .desktop.first_load_bytes <<<"$lh")" "$BENCH_FIRST_LOAD_MAX" \
    "target, at most" "<=$BENCH_FIRST_LOAD_MAX"
bench_row "then the API's JSON, bytes ($(jq -r .desktop.api_requests <<<"$lh") requests)" \
    "$(jq -r .desktop.api_bytes <<<"$lh")"
bench_row "then the grid's images (thumbnails), bytes" \
    "$(jq -r .desktop.image_bytes <<<"$lh")"
for kind in all "asked of the server" "from memory" title "no match" \
    "tag chips" "answer to frame"; do
	bench_row "keystroke to grid: $kind, p50 ms ($(jq -r ".[\"$kind\"].n" <<<"$lat") keys)" \
	    "$(jq -r ".[\"$kind\"].p50" <<<"$lat")" \
	    "$(jq -r ".without_count[\"$kind\"].p50" <<<"$lat")" \
	    "same keys, no count"
	bench_row "keystroke to grid: $kind, p95 ms" \
	    "$(jq -r ".[\"$kind\"].p95" <<<"$lat")" \
	    "$(jq -r ".without_count[\"$kind\"].p95" <<<"$lat")" \
	    "same keys, no count" "<=50"
done
bench_table_print
echo
echo "Lighthouse audits below 1 (weighted): $(jq -c '{mobile: .mobile.failed, desktop: .desktop.failed}' <<<"$lh")"
