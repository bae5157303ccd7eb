#!/usr/bin/env bash
# Reactions after upload: read, list and search with every filter, keyset
# pages under concurrent inserts, random, edit, delete (with storage up and
# down), and the tag list.
#
# The main fixtures are uploaded; the reactions for the page walks are
# written straight into PostgreSQL, because only there can several share
# one created_at (ties that only the id orders). Every tag carries a
# per-run prefix and every list query filters on one, so rows other tests
# leave behind never interfere.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/http.sh
. "$here/../lib/http.sh"
# shellcheck source=tests/lib/service.sh
. "$here/../lib/service.sh"

need_tools convert ffmpeg psql

trap service_stop EXIT
service_start reactions || { echo "Bail out! reactbin did not start"; exit 1; }

# psql takes the URL without the asyncpg driver suffix the service accepts.
PSQL_URL=${DATABASE_URL/+asyncpg/}
sql() { psql "$PSQL_URL" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

run=r70$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
t() { echo "$run-$1"; }

owner_login

# The reference time every fixture is placed relative to.
base=$(sql -c "SELECT now()")

s3() {
	curl -sS --aws-sigv4 "aws:amz:$S3_REGION:s3" \
	    --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" "$@"
}
empty_sha=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
# bucket_has ID: 1 or 0, or "error" when the listing failed. The '/' in
# the prefix is written %2F: curl signs the query string as written.
bucket_has() {
	local listing
	listing=$(s3 -H "x-amz-content-sha256: $empty_sha" \
	    "$S3_ENDPOINT_URL/$S3_BUCKET_NAME?list-type=2&prefix=reactions%2F$1")
	case "$listing" in
	*"<ListBucketResult"*) grep -c "<Key>reactions/$1</Key>" <<<"$listing" ;;
	*) echo error ;;
	esac
}
media=$(mktemp -d "$REACTBIN_TEST_TMP/reactions-media.XXXXXX")

# fixture_file TITLE EXT: where the file uploaded with that title is.
fixture_file() {
	echo "$media/$(printf '%s' "$1" | md5sum | cut -c1-16).$2"
}

# upload TITLE EXT TAG...: upload a new file of that type (fresh random
# bytes, 10x20 for images) with that title and tags; prints the id.
upload() {
	local title=$1 ext=$2 file tags
	shift 2
	file=$(fixture_file "$title" "$ext")
	case "$ext" in
	mp4)
		ffmpeg -hide_banner -loglevel error -y -f lavfi \
		    -i "testsrc=size=32x24:rate=5:duration=1" -c:v libx264 \
		    -pix_fmt yuv420p -metadata "comment=$file" "$file" ;;
	*)
		convert -size 10x20 xc: +noise Random "$file" ;;
	esac || return 1
	tags=$(IFS=,; echo "$*")
	request POST "/api/v1/reactions?title=$(jq -rn --arg v "$title" '$v|@uri')&tags=$tags" \
	    "${auth[@]}" -H "content-type: application/octet-stream" \
	    --data-binary "@$file"
	[ "$HTTP_STATUS" = 201 ] || return 1
	json .id
}

# direct AGE TAG...: a PNG reaction written straight into the table,
# created AGE seconds before $base (equal ages make equal created_at), or
# at this moment for AGE "now"; prints its id. Its object is put into the
# bucket first, as an upload does, so no row ever points to a missing
# object. Tags are stored sorted by byte value, as the service does.
direct() {
	local age=$1 id file sha tags
	shift
	id=$(cat /proc/sys/kernel/random/uuid)
	file="$media/$id.png"
	convert -size 2x2 xc: +noise Random "$file" || return 1
	sha=$(sha256sum "$file" | cut -d' ' -f1)
	[ "$(s3 -o /dev/null -w '%{http_code}' -X PUT \
	    -H "x-amz-content-sha256: $sha" --data-binary "@$file" \
	    "$S3_ENDPOINT_URL/$S3_BUCKET_NAME/reactions/$id")" = 200 ] ||
	    return 1
	tags=$(printf '%s\n' "$@" | LC_ALL=C sort -u | paste -sd, -)
	[ "$age" != now ] || age=-1
	sql -v id="$id" -v sha="$sha" -v size="$(stat -c %s "$file")" \
	    -v age="$age" -v tags="{$tags}" -v base="$base" <<'EOF' && return 0
INSERT INTO reactions (id, title, tags, media_type, size_bytes, width,
    height, sha256, object_key, created_at, updated_at)
SELECT :'id'::uuid, 'walk', :'tags'::text[], 'image/png', :'size'::bigint,
    2, 2, :'sha', 'reactions/' || :'id', t, t
FROM (SELECT CASE WHEN :'age'::int < 0 THEN clock_timestamp()
    ELSE :'base'::timestamptz - make_interval(secs => :'age'::int)
    END AS t) n
RETURNING id;
EOF
	# No row: the object must not stay behind either.
	s3 -o /dev/null -X DELETE -H "x-amz-content-sha256: $empty_sha" \
	    "$S3_ENDPOINT_URL/$S3_BUCKET_NAME/reactions/$id"
	return 1
}

# ids: the ids of the listed items, one line, space-separated.
ids() { json '[.items[].id] | join(" ")'; }

list() { request GET "/api/v1/reactions?$1" "${auth[@]}"; }

# error_is STATUS CODE FIELD NAME: the last answer was that error.
error_is() {
	is "$HTTP_STATUS $(json .error.code) $(json '.error.field // ""')" \
	    "$1 $2 $3" "$4"
}

# --- fixtures --------------------------------------------------------------
# Uploaded one after the other, so oldest first: r1 .. r6.
r1=$(upload "Annoyed Akari" gif "$(t all)" "$(t a)" "$(t b)")
r2=$(upload "100% done" png "$(t all)" "$(t a)")
r3=$(upload "snake_case" mp4 "$(t all)" "$(t b)" "$(t c)")
r4=$(upload "plain" gif "$(t all)" "$(t a)" "$(t c)")
r5=$(upload "100 percent" webp "$(t all)" "$(t c)")
r6=$(upload "one exception" jpg "$(t all)")
for r in "$r1" "$r2" "$r3" "$r4" "$r5" "$r6"; do
	[[ $r =~ ^[0-9a-f-]{36}$ ]] || { echo "Bail out! fixture insert failed"; exit 1; }
done

# --- read ----------------------------------------------------------------

request GET "/api/v1/reactions/$r1" "${auth[@]}"
is "$HTTP_STATUS" 200 "read: 200"
is "$(json .id)" "$r1" "read: the id"
is "$(json .title)" "Annoyed Akari" "read: the title"
is "$(json '.tags | join(",")')" "$(t a),$(t all),$(t b)" "read: tags sorted by byte value"
is "$(json .media_type)" image/gif "read: the media type"
is "$(json '[.size_bytes, .width, .height] | join(" ")')" \
    "$(stat -c %s "$(fixture_file "Annoyed Akari" gif)") 10 20" \
    "read: size and dimensions"
like "$(json .created_at)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$' \
    "read: created_at is RFC 3339 UTC"
like "$(json .file_url)" "/api/v1/reactions/$r1/file\$" "read: file_url"

request GET "/api/v1/reactions/$r1"
is "$HTTP_STATUS" 401 "read without a token: 401"

request GET /api/v1/reactions/6f1c0d3e-0d0f-4a57-9a53-0b1f3f0d8a11 "${auth[@]}"
error_is 404 not_found "" "read an unknown id: 404 not_found"

request GET /api/v1/reactions/not-a-uuid "${auth[@]}"
error_is 404 not_found "" "read a malformed id: 404 not_found"

request GET "/api/v1/reactions/${r1}0" "${auth[@]}"
is "$HTTP_STATUS" 404 "read an id with a byte too many: 404"

# --- list: filters and order -------------------------------------------

list "tags=$(t all)"
is "$HTTP_STATUS" 200 "list: 200"
is "$(ids)" "$r6 $r5 $r4 $r3 $r2 $r1" "list: newest first by default"
is "$(json .next_cursor)" null "list: one page, next_cursor null"

list "tags=$(t all)&sort=newest"
is "$(ids)" "$r6 $r5 $r4 $r3 $r2 $r1" "list: sort=newest"

list "tags=$(t all)&sort=oldest"
is "$(ids)" "$r1 $r2 $r3 $r4 $r5 $r6" "list: sort=oldest"

list "tags=$(t a)"
is "$(ids)" "$r4 $r2 $r1" "list: one tag"

list "tags=$(t a),$(t c)"
is "$(ids)" "$r4" "list: two tags must both be present"

list "tags=$(t a),-$(t c)"
is "$(ids)" "$r2 $r1" "list: -tag excludes"

list "tags=-$(t a),$(t all),-$(t b)"
is "$(ids)" "$r6 $r5" "list: two exclusions"

list "tags=+$(t A)+,%20$(t B)"
is "$(ids)" "$r1" "list: tags are normalised (case, spaces)"

list "tags=$(t all)&q=AKARI"
is "$(ids)" "$r1" "list: q is a case-insensitive substring"

list "tags=$(t all)&q=100%25"
is "$(ids)" "$r2" "list: q '100%' matches '%' literally"

list "tags=$(t all)&q=e_c"
is "$(ids)" "$r3" "list: q 'e_c' matches '_' literally (not 'exc')"

list "tags=$(t all)&q=%5C"
is "$(ids)" "" "list: q '\\' matches nothing here, and is no error"

list "tags=$(t all)&q=E+EXC"
is "$(ids)" "$r6" "list: q with a space ('+')"

list "tags=$(t all)&media_type=image/gif"
is "$(ids)" "$r4 $r1" "list: media_type"

sha3=$(sql -v id="$r3" <<<"SELECT sha256 FROM reactions WHERE id = :'id'")
list "sha256=$sha3"
is "$(ids)" "$r3" "list: sha256 finds the reaction"
list "sha256=${sha3^^}"
is "$(ids)" "$r3" "list: sha256 in upper case too"
list "sha256=$(printf '0%.0s' {1..64})"
is "$HTTP_STATUS $(ids)" "200 " "list: an unknown sha256 is an empty page"

list "tags=$(t all)&media_type=image/gif&q=plain&sort=oldest"
is "$(ids)" "$r4" "list: filters combine"

# --- list: refusals ---------------------------------------------------------

list "limit=0"
error_is 400 bad_request limit "list: limit=0 is 400"
list "limit=101"
error_is 400 bad_request limit "list: limit=101 is 400"
list "limit=abc"
error_is 400 bad_request limit "list: limit=abc is 400"
list "limit=5x"
error_is 400 bad_request limit "list: limit=5x is 400"
list "limit=100"
is "$HTTP_STATUS" 200 "list: limit=100 is fine"
list "sort=random"
error_is 400 bad_request sort "list: sort=random is 400"
list "tags=a,,b"
error_is 422 validation_failed tags "list: an empty tag is 422 tags"
list "tags=***"
error_is 422 validation_failed tags "list: a pattern of only '*' is 422 tags"
list "q=a%01b"
error_is 422 validation_failed q "list: a control character in q is 422 q"
list "q=$(printf 'x%.0s' {1..201})"
error_is 422 validation_failed q "list: 201 characters of q is 422 q"
list "media_type=image/svg%2Bxml"
error_is 422 validation_failed media_type "list: an unknown media_type is 422"
list "sha256=abc"
error_is 422 validation_failed sha256 "list: a short sha256 is 422"
list "cursor=abc"
error_is 400 bad_request cursor "list: a malformed cursor is 400"
list "q=%zz"
is "$HTTP_STATUS" 400 "list: a broken %-escape is 400"
list "limit=1&limit=2"
is "$HTTP_STATUS" 400 "list: a repeated parameter is 400"

request GET "/api/v1/reactions?tags=$(t all)"
is "$HTTP_STATUS" 401 "list without a token: 401"

# --- list: pages ----------------------------------------------------------

list "tags=$(t all)&limit=4"
is "$(ids)" "$r6 $r5 $r4 $r3" "pages: the first page"
cursor=$(json .next_cursor)
like "$cursor" '^[A-Za-z0-9_-]+$' "pages: a next_cursor"

list "tags=$(t all)&limit=4&cursor=$cursor"
is "$(ids)" "$r2 $r1" "pages: the second page continues"
is "$(json .next_cursor)" null "pages: and is the last"

list "tags=$(t all)&limit=2&cursor=$cursor"
is "$(ids)" "$r2 $r1" "pages: limit may change between pages"

tampered="${cursor:0:20}$([ "${cursor:20:1}" = A ] && echo B || echo A)${cursor:21}"
list "tags=$(t all)&limit=4&cursor=$tampered"
error_is 400 bad_request cursor "pages: a tampered cursor is 400"

list "tags=$(t a)&limit=4&cursor=$cursor"
error_is 400 bad_request cursor "pages: a cursor with other tags is 400"
list "tags=$(t all)&q=a&limit=4&cursor=$cursor"
error_is 400 bad_request cursor "pages: a cursor with another q is 400"
list "tags=$(t all)&sort=oldest&limit=4&cursor=$cursor"
error_is 400 bad_request cursor "pages: a cursor with the other sort is 400"

list "tags=$(t ALL)&limit=4&cursor=$cursor"
is "$HTTP_STATUS" 200 "pages: the same filter, written differently, keeps the cursor"

# walk QS: every page of the list QS, with a new matching reaction added
# between page fetches; sets walked (ids in order) and pages.
walk() {
	local qs=$1 next=""
	walked=""
	pages=0
	while :; do
		if [ -n "$next" ]; then
			list "$qs&cursor=$next"
		else
			list "$qs"
		fi
		[ "$HTTP_STATUS" = 200 ] || { walked="error $HTTP_STATUS"; return; }
		pages=$((pages + 1))
		walked="$walked $(ids)"
		next=$(json .next_cursor)
		[ "$next" != null ] || break
		direct now "$(t walk)" "$(t w-new)" >/dev/null
		[ "$pages" -lt 50 ] || { walked="runaway"; return; }
	done
	walked=$(xargs <<<"$walked")
}

# Eleven reactions, several sharing a created_at, so that pages end in
# the middle of a tie and only the id orders them.
for age in 100 100 100 90 90 80 70 70 70 70 60; do
	direct "$age" "$(t walk)" >/dev/null
done
newest_first=$(sql -c "SELECT string_agg(id::text, ' ' ORDER BY created_at DESC, id DESC)
    FROM reactions WHERE tags @> ARRAY['$(t walk)']")
oldest_first=$(sql -c "SELECT string_agg(id::text, ' ' ORDER BY created_at, id)
    FROM reactions WHERE tags @> ARRAY['$(t walk)']")
is "$(wc -w <<<"$newest_first")" 11 "walk: eleven reactions to walk"

walk "tags=$(t walk)&limit=3"
is "$walked" "$newest_first" \
    "walk newest, 3 a page, inserts between pages: each reaction once, in order"
is "$pages" 4 "walk newest: 11 reactions make 4 pages"

before_walk=$(sql -c "SELECT string_agg(id::text, ' ' ORDER BY created_at, id)
    FROM reactions WHERE tags @> ARRAY['$(t walk)']")
walk "tags=$(t walk),-$(t w-new)&limit=2&sort=oldest"
is "$walked" "$oldest_first" \
    "walk oldest, 2 a page, inserts between pages: each reaction once, in order"
walk "tags=$(t walk)&limit=4&sort=oldest"
dups=$(tr ' ' '\n' <<<"$walked" | sort | uniq -d | wc -l)
is "$dups" 0 "walk oldest with the new ones too: no reaction twice"
like " $walked " " ${before_walk// /.*} " \
    "walk oldest with the new ones too: every earlier one, in order"
is "${walked:0:${#before_walk}}" "$before_walk" \
    "walk oldest: the new ones come after all the earlier ones"

# --- random -----------------------------------------------------------------

request GET "/api/v1/reactions/random?tags=$(t a)" "${auth[@]}"
is "$HTTP_STATUS" 200 "random: 200"
seen=""
bad=0
for _ in $(seq 1 30); do
	request GET "/api/v1/reactions/random?tags=$(t a),-$(t c)" "${auth[@]}"
	case "$(json .id)" in
	"$r1"|"$r2") seen="$seen $(json .id)" ;;
	*) bad=$((bad + 1)) ;;
	esac
done
is "$bad" 0 "random: every pick matches the filter"
like "$seen" "$r1" "random: picks the first match sometimes"
like "$seen" "$r2" "random: and the second"

request GET "/api/v1/reactions/random?tags=$(t all)&q=snake&media_type=video/mp4" "${auth[@]}"
is "$(json .id)" "$r3" "random: q and media_type filter too"

request GET "/api/v1/reactions/random?tags=$(t nothing)" "${auth[@]}"
error_is 404 not_found "" "random: 404 when nothing matches"

request GET "/api/v1/reactions/random?tags=a,,b" "${auth[@]}"
error_is 422 validation_failed tags "random: a bad tag filter is 422"

request GET /api/v1/reactions/random
is "$HTTP_STATUS" 401 "random without a token: 401"

# --- edit -------------------------------------------------------------------

patch() {
	request PATCH "/api/v1/reactions/$1" "${auth[@]}" \
	    -H 'content-type: application/json' -d "$2"
}

request GET "/api/v1/reactions/$r6" "${auth[@]}"
created6=$(json .created_at)
updated6=$(json .updated_at)

patch "$r6" '{"title":"Une exception \u00e9clatante"}'
is "$HTTP_STATUS" 200 "edit title: 200"
is "$(json .title)" "Une exception éclatante" "edit title: the new title"
is "$(json .created_at)" "$created6" "edit title: created_at unchanged"
ok "$([[ $(json .updated_at) > $updated6 ]]; echo $?)" "edit title: updated_at advances"
updated6=$(json .updated_at)

patch "$r6" '{"tags":["New-One","'"$(t all)"'","'"$(t x)"'","new-one"]}'
is "$(json '.tags | join(",")')" "new-one,$(t all),$(t x)" "edit tags: replaced, normalised, deduplicated"
ok "$([[ $(json .updated_at) > $updated6 ]]; echo $?)" "edit tags: updated_at advances"

patch "$r6" '{"add_tags":["'"$(t y)"'"],"remove_tags":["new-one","absent"]}'
is "$(json '.tags | join(",")')" "$(t all),$(t x),$(t y)" "edit add_tags and remove_tags together"
updated6=$(json .updated_at)

request GET "/api/v1/reactions/$r6" "${auth[@]}"
is "$(json '.tags | join(",")') $(json .title)" "$(t all),$(t x),$(t y) Une exception éclatante" \
    "edit: a read shows the changes"

# Concurrent edits, each adding its own tag and removing another's
# absent one: every one succeeds, and none is lost.
statuses=$(for n in $(seq 1 12); do
	curl -sS -o /dev/null -w '%{http_code}\n' -X PATCH "${auth[@]}" \
	    -H 'content-type: application/json' \
	    -d "{\"add_tags\":[\"$(t "par$n")\"],\"remove_tags\":[\"$(t "gone$n")\"]}" \
	    "$REACTBIN_URL/api/v1/reactions/$r2" &
done; wait)
is "$(sort <<<"$statuses" | uniq -c | xargs)" "12 200" "concurrent edits: all 200"
request GET "/api/v1/reactions/$r2" "${auth[@]}"
is "$(json "[.tags[] | select(startswith(\"$(t par)\"))] | length")" 12 \
    "concurrent edits: no added tag is lost"
patch "$r2" "{\"remove_tags\":[$(for n in $(seq 1 12); do printf '"%s",' "$(t "par$n")"; done | sed 's/,$//')]}"
is "$(json '.tags | join(",")')" "$(t a),$(t all)" "remove_tags takes many at once"

patch "$r6" '{}'
is "$HTTP_STATUS" 200 "edit {}: 200"
is "$(json .updated_at)" "$updated6" "edit {}: nothing changes, updated_at neither"

patch "$r6" '{"title":"Une exception éclatante","add_tags":["'"$(t x)"'"]}'
is "$(json .updated_at)" "$updated6" "edit to the same values: updated_at unchanged"

patch "$r6" '{"title":5}'
error_is 422 validation_failed title "edit: a title that is not a string is 422 title"
patch "$r6" '{"title":null}'
error_is 422 validation_failed title "edit: a null title is 422 title"
patch "$r6" "{\"title\":\"$(printf 'x%.0s' {1..201})\"}"
error_is 422 validation_failed title "edit: a 201-character title is 422 title"
patch "$r6" '{"tags":"a,b"}'
error_is 422 validation_failed tags "edit: tags that are not an array is 422 tags"
patch "$r6" '{"add_tags":[1]}'
error_is 422 validation_failed add_tags "edit: add_tags with a number is 422 add_tags"
patch "$r6" '{"remove_tags":"x"}'
error_is 422 validation_failed remove_tags "edit: remove_tags not an array is 422 remove_tags"
patch "$r6" '{"add_tags":["-bad"]}'
error_is 422 validation_failed tags "edit: an invalid tag is 422 tags"
patch "$r6" '{"tag":["oops"]}'
error_is 422 validation_failed tag "edit: an unknown field is 422 naming it"
many=$(for i in $(seq 1 33); do printf '"t%d",' "$i"; done)
patch "$r6" "{\"tags\":[${many%,}]}"
error_is 422 validation_failed tags "edit: 33 tags is 422 tags"
many=$(for i in $(seq 1 30); do printf '"t%d",' "$i"; done)
patch "$r6" "{\"add_tags\":[${many%,}]}"
error_is 422 validation_failed tags "edit: 3 + 30 added tags is 422 tags"
patch "$r6" 'not json'
error_is 400 bad_request "" "edit: a body that is not JSON is 400"
patch "$r6" '[1]'
error_is 400 bad_request "" "edit: a body that is not an object is 400"

request GET "/api/v1/reactions/$r6" "${auth[@]}"
is "$(json .updated_at) $(json '.tags | length')" "$updated6 3" "edit: refused edits change nothing"

patch 6f1c0d3e-0d0f-4a57-9a53-0b1f3f0d8a11 '{"title":"x"}'
error_is 404 not_found "" "edit an unknown id: 404"
patch not-a-uuid '{"title":"x"}'
is "$HTTP_STATUS" 404 "edit a malformed id: 404"
request PATCH "/api/v1/reactions/$r6" -d '{"title":"x"}'
is "$HTTP_STATUS" 401 "edit without a token: 401"

# --- tags -------------------------------------------------------------------
# In use now: all x6 (with r6's), a x3, c x3, b x2, x x1, y x1, walk x N,
# w-new x M (M, N from the walks).

request GET "/api/v1/tags?prefix=$run&limit=100" "${auth[@]}"
is "$HTTP_STATUS" 200 "tags: 200"
expected=$(sql -c "SELECT string_agg(t || ':' || n, ' ' ORDER BY n DESC, t COLLATE \"C\")
    FROM (SELECT t, count(*) n FROM reactions, unnest(tags) t
    WHERE starts_with(t, '$run') GROUP BY t) c")
is "$(json '[.items[] | "\(.name):\(.count)"] | join(" ")')" "$expected" \
    "tags: names and counts, by count then name"
like "$(json '[.items[] | "\(.name):\(.count)"] | join(" ")')" \
    "$(t all):6 $(t a):3 $(t c):3 $(t b):2" "tags: ties go by name"

request GET "/api/v1/tags?prefix=$(t a)" "${auth[@]}"
is "$(json '[.items[].name] | join(" ")')" "$(t all) $(t a)" "tags: prefix matches the start of a tag"

request GET "/api/v1/tags?prefix=${run^^}-A" "${auth[@]}"
is "$(json '[.items[].name] | join(" ")')" "$(t all) $(t a)" "tags: the prefix is normalised"

request GET "/api/v1/tags?prefix=$run&limit=2" "${auth[@]}"
is "$(json '.items | length')" 2 "tags: limit"

request GET "/api/v1/tags?prefix=$(t zz)" "${auth[@]}"
is "$HTTP_STATUS $(json '.items | length')" "200 0" "tags: no match is an empty list"

patch "$r6" '{"remove_tags":["'"$(t y)"'"]}'
request GET "/api/v1/tags?prefix=$(t y)" "${auth[@]}"
is "$(json '.items | length')" 0 "tags: only tags in use are listed"

request GET "/api/v1/tags?prefix=a,b" "${auth[@]}"
error_is 422 validation_failed prefix "tags: a prefix with a comma is 422 prefix"
request GET "/api/v1/tags?prefix=-a" "${auth[@]}"
error_is 422 validation_failed prefix "tags: a prefix with a leading '-' is 422"
request GET "/api/v1/tags?limit=0" "${auth[@]}"
error_is 400 bad_request limit "tags: limit=0 is 400"
request GET "/api/v1/tags?limit=101" "${auth[@]}"
error_is 400 bad_request limit "tags: limit=101 is 400"
request GET /api/v1/tags
is "$HTTP_STATUS" 401 "tags without a token: 401"

# --- delete ---------------------------------------------------------------

pending() {
	sql -v key="reactions/$1" <<<"SELECT count(*) FROM storage_deletions
	    WHERE object_key = :'key'"
}

is "$(bucket_has "$r5")" 1 "delete: (the object is in the bucket first)"

request DELETE "/api/v1/reactions/$r5" "${auth[@]}"
is "$HTTP_STATUS" 204 "delete: 204"
is "$HTTP_BODY" "" "delete: no body"
request GET "/api/v1/reactions/$r5" "${auth[@]}"
is "$HTTP_STATUS" 404 "delete: then a read is 404"
is "$(bucket_has "$r5")" 0 "delete: the object is gone from the bucket"
is "$(pending "$r5")" 0 "delete: no storage deletion is left pending"
list "tags=$(t c)"
is "$(ids)" "$r4 $r3" "delete: the list no longer shows it"

request DELETE "/api/v1/reactions/$r5" "${auth[@]}"
error_is 404 not_found "" "delete again: 404"
request DELETE /api/v1/reactions/6f1c0d3e-0d0f-4a57-9a53-0b1f3f0d8a11 "${auth[@]}"
error_is 404 not_found "" "delete an unknown id: 404"
request DELETE /api/v1/reactions/not-a-uuid "${auth[@]}"
is "$HTTP_STATUS" 404 "delete a malformed id: 404"
request DELETE "/api/v1/reactions/$r4"
is "$HTTP_STATUS" 401 "delete without a token: 401"

# Storage down: the row still goes at once, and the object's removal is
# left queued. The first instance is stopped so that its sweeper, which
# can reach storage, does not take the queued removal away meanwhile.
service_stop TERM
service_start reactions-s3-down S3_ENDPOINT_URL=http://127.0.0.1:9 ||
    { echo "Bail out! reactbin (storage down) did not start"; exit 1; }
token=$(login_token)
auth=(-H "Authorization: Bearer $token")

request DELETE "/api/v1/reactions/$r4" "${auth[@]}"
is "$HTTP_STATUS" 204 "delete with storage down: 204"
request GET "/api/v1/reactions/$r4" "${auth[@]}"
is "$HTTP_STATUS" 404 "delete with storage down: the row is gone at once"
is "$(pending "$r4")" 1 "delete with storage down: the removal is queued"

done_testing
