#!/usr/bin/env bash
# The list's count=true (issue 11, the web app's "N reactions"): "total"
# is the number of reactions the same filters match, whatever the cursor
# and the limit; without count (or with count=false) the answer has no
# total; a bad value is 422 on count.
#
# Every tag carries a per-run prefix, and every title the run's name, so
# the rows other tests leave behind never match; the unfiltered total is
# checked against PostgreSQL's own count.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/http.sh
. "$here/../lib/http.sh"
# shellcheck source=tests/lib/service.sh
. "$here/../lib/service.sh"

need_tools convert psql jq

trap service_stop EXIT
service_start total || { echo "Bail out! reactbin did not start"; exit 1; }

PSQL_URL=${DATABASE_URL/+asyncpg/}
sql() { psql "$PSQL_URL" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

run=t71$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
t() { echo "$run-$1"; }

token=$(login_token)
if [ -z "$token" ] || [ "$token" = null ]; then
	echo "Bail out! no token"
	exit 1
fi
auth=(-H "Authorization: Bearer $token")
media=$(mktemp -d "$REACTBIN_TEST_TMP/total.XXXXXX")

# upload TITLE EXT TAG...: a new image of that type (random pixels) with
# that title and tags; prints its id.
upload() {
	local title=$1 ext=$2 file tags
	shift 2
	file=$(mktemp "$media/f.XXXXXX").$ext
	convert -size 10x20 xc: +noise Random "$file" || return 1
	tags=$(IFS=,; echo "$*")
	request POST "/api/v1/reactions?title=$(jq -rn --arg v "$title" '$v|@uri')&tags=$(jq -rn --arg v "$tags" '$v|@uri')" \
	    "${auth[@]}" -H "content-type: application/octet-stream" \
	    --data-binary "@$file"
	[ "$HTTP_STATUS" = 201 ] || return 1
	json .id
}

list() { request GET "/api/v1/reactions?$1" "${auth[@]}"; }
# q VALUE: VALUE %-encoded for a query string.
q() { jq -rn --arg v "$1" '$v|@uri'; }
ids() { json '[.items[].id] | join(" ")'; }
total() { json 'if has("total") then .total else "absent" end'; }

# error_is STATUS CODE FIELD NAME: the last answer was that error.
error_is() {
	is "$HTTP_STATUS $(json .error.code) $(json '.error.field // ""')" \
	    "$1 $2 $3" "$4"
}

# --- fixtures, oldest first ----------------------------------------------
r1=$(upload "$run Akari annoyed" gif "$(t cat)" "$(t happy)")
r2=$(upload "$run dog" png "$(t dog)" "$(t happy)")
r3=$(upload "$run dog sad" png "$(t dog)" "$(t sad)")
r4=$(upload "$run akari smiles" gif "$(t yuru-yuri)" "$(t akari)")
r5=$(upload "$run plain" png "$(t yuru-yuri)" "$(t sadder)")
for r in "$r1" "$r2" "$r3" "$r4" "$r5"; do
	[[ $r =~ ^[0-9a-f-]{36}$ ]] || { echo "Bail out! a fixture upload failed"; exit 1; }
done

# --- opt-in ----------------------------------------------------------------
list "tags=$(q "$(t happy)")"
is "$HTTP_STATUS" 200 "without count: 200"
is "$(json '[keys[]] | join(",")')" "items,next_cursor" \
    "without count: the answer is as it was (items, next_cursor)"
list "tags=$(q "$(t happy)")&count=false"
is "$(total)" absent "count=false: no total"

# --- no filter ---------------------------------------------------------------
list "count=true&limit=1"
is "$HTTP_STATUS" 200 "no filter: 200"
all=$(sql -c "SELECT count(*) FROM reactions")
is "$(total)" "$all" "no filter: total is every reaction ($all)"
is "$(json '.items | length')" 1 "no filter: the limit still cuts the page"

# --- tags, and the cursor ----------------------------------------------------
list "tags=$(q "$(t happy)")&count=true&limit=1"
is "$(total)" 2 "one tag: total 2"
is "$(ids)" "$r2" "one tag: the first page of one"
next=$(json .next_cursor)
list "tags=$(q "$(t happy)")&count=true&limit=1&cursor=$(q "$next")"
is "$HTTP_STATUS" 200 "with a cursor: 200"
is "$(ids)" "$r1" "with a cursor: the next page"
is "$(total)" 2 "with a cursor: the same total"
is "$(json .next_cursor)" null "with a cursor: the last page"
list "tags=$(q "$(t happy)")&limit=1&cursor=$(q "$next")"
is "$(ids) $(total)" "$r1 absent" \
    "a cursor made with count walks without it (count is no filter)"

list "tags=$(q "$(t happy),$(t dog)")&count=true"
is "$(total)" 1 "two tags: total 1"
list "tags=$(q "$(t dog),-$(t sad)")&count=true"
is "$(ids) $(total)" "$r2 1" "-tag exclusion: total 1"
list "tags=$(q "-$(t sad)*,$(t dog)|$(t yuru-yuri)")&count=true"
is "$(total)" 2 "an excluding pattern: total 2"

# --- OR and wildcards ----------------------------------------------------------
list "tags=$(q "$(t cat)|$(t dog)")&count=true"
is "$(total)" 3 "a|b: total 3"
list "tags=$(q "$(t cat)|$(t dog),-$(t sad)")&count=true"
is "$(total)" 2 "a|b,-c: total 2"
list "tags=$(q "$(t yuru)*")&count=true"
is "$(total)" 2 "a prefix pattern: total 2"
list "tags=$(q "$run-*")&count=true&limit=2"
is "$(total)" 5 "a pattern over every fixture: total 5"
is "$(json '.items | length')" 2 "... on a page of 2"

# Walk the pages: their items add up to the total, and each page says it.
seen=0 totals="" cursor="" pages=0
while :; do
	list "tags=$(q "$run-*")&count=true&limit=2${cursor:+&cursor=$(q "$cursor")}"
	[ "$HTTP_STATUS" = 200 ] || break
	seen=$((seen + $(json '.items | length')))
	totals="$totals$(total) "
	pages=$((pages + 1))
	cursor=$(json '.next_cursor // ""')
	if [ -z "$cursor" ] || [ "$pages" -ge 10 ]; then
		break
	fi
done
is "$seen $pages" "5 3" "the pages of 2 hold the 5 reactions"
is "$totals" "5 5 5 " "every page has the same total"

list "tags=$(q "$(t nothing)*")&count=true"
is "$HTTP_STATUS $(json '.items | length') $(total)" "200 0 0" \
    "a pattern that matches no tag: total 0"
list "tags=$(q "$(t nothing)")&count=true"
is "$(json '.items | length') $(total)" "0 0" "a tag nobody has: total 0"

# --- title and media type ------------------------------------------------------
list "q=$(q "$run akari")&count=true"
is "$(total)" 2 "title search: total 2 (case-insensitive)"
list "q=$(q "$run akari")&tags=$(q "$(t happy)")&count=true"
is "$(ids) $(total)" "$r1 1" "title and tag: total 1"
list "q=$(q "$run")&media_type=image/gif&count=true"
is "$(ids) $(total)" "$r4 $r1 2" "media type: total 2"
list "q=$(q "$run")&media_type=image/png&count=true&sort=oldest&limit=1"
is "$(ids) $(total)" "$r2 3" "media type, oldest first, a page of 1: total 3"

# --- bad values ------------------------------------------------------------------
list "count=yes"
error_is 422 validation_failed count "count=yes: 422 on count"
like "$(json .error.message)" "true or false" "... the message names the values"
list "count="
error_is 422 validation_failed count "count=: 422"
list "count=1"
error_is 422 validation_failed count "count=1: 422"
list "count=TRUE"
error_is 422 validation_failed count "count=TRUE: 422"
list "count=true&count=true"
error_is 400 bad_request count "count twice: 400"
list "count=true&limit=0"
error_is 400 bad_request limit "a bad limit beside count is still the limit's 400"

done_testing
