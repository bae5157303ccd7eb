#!/usr/bin/env bash
# The tag query language of list and random (issue 12): terms ANDed,
# -term excluding, a|b for any of them, * as a wildcard inside a tag,
# escapes for a tag stored with '|', pages of an OR query, patterns that
# match nothing, too many matches, and bad syntax answered 422 on tags
# with the place it is at.
#
# Every tag carries a per-run prefix, and every query names one, so the
# rows other tests leave behind never match.
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

need_tools psql python3

trap service_stop EXIT
service_start query || { echo "Bail out! reactbin did not start"; exit 1; }

PSQL_URL=${DATABASE_URL/+asyncpg/}
sql() { psql "$PSQL_URL" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

run=q72$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
t() { echo "$run-$1"; }

owner_login
FIXTURE_AUTH=("${auth[@]}")
FIXTURE_DIR=$(mktemp -d "$REACTBIN_TEST_TMP/query.XXXXXX")

ids() { json '[.items[].id] | join(" ")'; }
list() { request GET "/api/v1/reactions?$1" "${auth[@]}"; }
# q VALUE: the tags parameter, %-encoded.
q() { jq -rn --arg v "$1" '$v|@uri'; }

# --- fixtures, oldest first ----------------------------------------------
r1=$(fixture_upload "cat one" "$(t cat)" "$(t happy)")
r2=$(fixture_upload "dog one" "$(t dog)" "$(t happy)")
r3=$(fixture_upload "dog sad" "$(t dog)" "$(t sad)")
r4=$(fixture_upload "yuru" "$(t yuru-yuri)" "$(t akari)")
r5=$(fixture_upload "yuru sad" "$(t yuru-yuri)" "$(t sadder)")
r6=$(fixture_upload "pipe" "$(t 'a|b')" "$(t fox)")
r7=$(fixture_upload "fox" "$(t fox)" "$(t a)")
for r in "$r1" "$r2" "$r3" "$r4" "$r5" "$r6" "$r7"; do
	[[ $r =~ ^[0-9a-f-]{36}$ ]] || { echo "Bail out! a fixture upload failed"; exit 1; }
done

# --- today's forms keep working ------------------------------------------
list "tags=$(q "$(t happy)")"
is "$(ids)" "$r2 $r1" "one tag"
list "tags=$(q "$(t happy),$(t dog)")"
is "$(ids)" "$r2" "two tags: both"
list "tags=$(q "$(t dog),-$(t sad)")"
is "$(ids)" "$r2" "a tag and an exclusion"

# --- OR -------------------------------------------------------------------
list "tags=$(q "$(t cat)|$(t dog)")"
is "$HTTP_STATUS" 200 "a|b: 200"
is "$(ids)" "$r3 $r2 $r1" "a|b: either"
list "tags=$(q "$(t cat)|$(t dog),-$(t sad)")"
is "$(ids)" "$r2 $r1" "cat|dog,-sad: the issue's example"
list "tags=$(q "$(t cat)|$(t dog),$(t sad)|$(t akari)")"
is "$(ids)" "$r3" "two groups: one of each"
list "tags=$(q "-$(t cat)|$(t dog),$(t happy)|$(t sad)|$(t akari)")"
is "$(ids)" "$r4" "an excluded group excludes each of its tags"
list "tags=$(q " $(t CAT) | $(t dog) ")"
is "$(ids)" "$r3 $r2 $r1" "alternatives are trimmed and normalised"
list "tags=$(q "$(t cat)|$(t nothing)")"
is "$(ids)" "$r1" "an alternative nobody has is harmless"

# --- wildcards ------------------------------------------------------------
list "tags=$(q "$(t yuru)*")"
is "$(ids)" "$r5 $r4" "prefix: yuru*"
list "tags=$(q "*$run-yuru*")"
is "$(ids)" "$r5 $r4" "*x*: a piece anywhere"
list "tags=$(q "$run-*-yuri")"
is "$(ids)" "$r5 $r4" "a wildcard inside"
list "tags=$(q "$(t sad)*")"
is "$(ids)" "$r5 $r3" "sad* matches sad and sadder"
list "tags=$(q "$(t yuru)*,-$(t sad)*")"
is "$(ids)" "$r4" "an excluding pattern"
list "tags=$(q "$(t cat)|$(t yuru)*")"
is "$(ids)" "$r5 $r4 $r1" "a tag or a pattern in one term"
list "tags=$(q "$(t YURU)*")"
is "$(ids)" "$r5 $r4" "patterns are lower-cased"
list "tags=$(q "$(t zzz)*")"
is "$HTTP_STATUS $(ids) $(json .next_cursor)" "200  null" \
    "a pattern that matches no tag: an empty page"
list "tags=$(q "$(t zzz)*,$(t cat)")"
is "$HTTP_STATUS $(ids)" "200 " "... and the term with it makes the query match nothing"
list "tags=$(q "$(t cat),-$(t zzz)*")"
is "$(ids)" "$r1" "an excluding pattern that matches nothing excludes nothing"

# '%' and '_' in a pattern are themselves, not LIKE's.
list "tags=$(q "$run-_at*")"
is "$(ids)" "" "'_' is not a LIKE wildcard"

# --- a tag stored with '|' ---------------------------------------------
list "tags=$(q "$(t a)\\|b")"
is "$(ids)" "$r6" "\\| is a literal '|'"
list "tags=$(q "$(t a)|$(t b)")"
is "$(ids)" "$r7" "an unescaped '|' is OR"
list "tags=$(q "$(t a)\\|*")"
is "$(ids)" "$r6" "an escaped '|' in a pattern"

# --- random takes the same language --------------------------------------
request GET "/api/v1/reactions/random?tags=$(q "$(t cat)|$(t dog),-$(t sad)")" "${auth[@]}"
like "$HTTP_STATUS $(json .id)" "^200 ($r1|$r2)\$" "random: OR and exclusion"
request GET "/api/v1/reactions/random?tags=$(q "$(t yuru)*,-$(t sad)*")" "${auth[@]}"
is "$HTTP_STATUS $(json .id)" "200 $r4" "random: patterns"
request GET "/api/v1/reactions/random?tags=$(q "$(t zzz)*")" "${auth[@]}"
is "$HTTP_STATUS $(json .error.code)" "404 not_found" "random: a pattern that matches nothing is 404"
request GET "/api/v1/reactions/random?tags=$(q "a||b")" "${auth[@]}"
is "$HTTP_STATUS $(json .error.field)" "422 tags" "random: bad syntax is 422 tags"

# --- pages of an OR query ---------------------------------------------------
seen=
cursor=
pages=0
for _ in $(seq 1 10); do
	list "tags=$(q "$(t happy)|$(t sad)*|$(t fox)")&limit=2${cursor:+&cursor=$cursor}"
	[ "$HTTP_STATUS" = 200 ] || break
	pages=$((pages + 1))
	seen="$seen $(ids)"
	cursor=$(json .next_cursor)
	[ "$cursor" != null ] || break
done
is "$(echo "$seen" | xargs)" "$r7 $r6 $r5 $r3 $r2 $r1" "pages of an OR query: each match once, in order"
is "$pages" 3 "pages of an OR query: three pages of two"
list "tags=$(q "$(t happy)|$(t fox)")&limit=2&cursor=$cursor"
is "$HTTP_STATUS $(json .error.field)" "400 cursor" "a cursor of another query is refused"

# --- bad syntax: 422 on tags, and where --------------------------------------
bad() {
	list "tags=$(q "$1")"
	is "$HTTP_STATUS $(json .error.code) $(json .error.field)" \
	    "422 validation_failed tags" "bad syntax '$1': 422 on tags"
	like "$(json .error.message)" "$2" "bad syntax '$1': the message says where"
}
bad "a||b" "^tags, at character 3: an empty alternative"
bad "a,,b" "^tags, at character 3: an empty term"
bad "cat|-dog" "^tags, at character 5: '-' excludes only"
bad "-" "^tags, at character 1: a '-' needs"
bad "***" "^tags, at character 1: a pattern needs a character"
bad "ok,a b" "^tags, at character 4: not a valid tag"
bad "ok,a *" "^tags, at character 4: not a valid pattern"
bad "ゆる,,x" "^tags, at character 4: "

terms="a1|b1"
for i in $(seq 2 9); do terms="$terms,a$i|b$i"; done
list "tags=$(q "$terms")"
like "$HTTP_STATUS $(json .error.message)" "^422 tags, at character 49: more than 8 terms" \
    "nine OR terms: 422, at the ninth"

# --- a wildcard standing for too many tags -----------------------------------
# Tags in use are what patterns are matched against: 10,001 of them for
# a moment, straight into the counts, and gone again before any other
# test can see them.
sql -c "INSERT INTO tag_counts (name, count) SELECT '$run-many-' || g, 1 FROM generate_series(1, 10001) g"
list "tags=$(q "$(t many)*")"
like "$HTTP_STATUS $(json .error.field) $(json .error.message)" \
    "^422 tags .*more than 10000 tags" "a pattern matching more than 10,000 tags: 422"
sql -c "DELETE FROM tag_counts WHERE name LIKE '$run-many-%'"

done_testing
