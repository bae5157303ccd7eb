#!/usr/bin/env bash
# Bulk edits (issue 12): POST /api/v1/reactions/bulk adds and removes
# tags on many reactions, or deletes them, all or nothing: an unknown id
# is a 404 that names it and changes nothing, and so is a reaction that
# would end with too many tags; updated_at moves on each; a delete
# queues every object, and the sweeper removes them from the bucket.
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
# shellcheck source=tests/lib/wait.sh
. "$here/../lib/wait.sh"

need_tools psql python3

# How long the deletion queue may take to reach the bulk delete's rows.
SWEEP_WAIT_SECONDS=180

trap service_stop EXIT
service_start bulk || { echo "Bail out! reactbin did not start"; exit 1; }

PSQL_URL=${DATABASE_URL/+asyncpg/}
sql() { psql "$PSQL_URL" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

run=b76$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
t() { echo "$run-$1"; }

owner_login
json_body=(-H 'content-type: application/json')
FIXTURE_AUTH=("${auth[@]}")
FIXTURE_DIR=$(mktemp -d "$REACTBIN_TEST_TMP/bulk.XXXXXX")

bulk() { request POST /api/v1/reactions/bulk "${auth[@]}" "${json_body[@]}" -d "$1"; }
# state: every fixture's tags and updated_at, one line, for before/after.
state() {
	sql -c "SELECT string_agg(id || '=' || array_to_string(tags, ',') || '@' || updated_at, ' ' ORDER BY id) FROM reactions WHERE title LIKE '$run%'"
}
# ids_json ID...: a JSON array of the ids.
ids_json() { printf '%s\n' "$@" | jq -R . | jq -sc .; }

s3() {
	curl -sS --aws-sigv4 "aws:amz:$S3_REGION:s3" \
	    --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" "$@"
}
empty_sha=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
in_bucket() {
	s3 -o /dev/null -w '%{http_code}' --head \
	    -H "x-amz-content-sha256: $empty_sha" \
	    "$S3_ENDPOINT_URL/$S3_BUCKET_NAME/reactions/$1"
}

ids=()
for i in 1 2 3 4 5; do
	ids+=("$(fixture_upload "$run $i" "$(t all)" "$(t old)")")
done
for r in "${ids[@]}"; do
	[[ $r =~ ^[0-9a-f-]{36}$ ]] || { echo "Bail out! a fixture upload failed"; exit 1; }
done
three=$(ids_json "${ids[0]}" "${ids[1]}" "${ids[2]}")

# --- tag edits ---------------------------------------------------------------
before=$(state)
bulk "{\"ids\":$three,\"add_tags\":[\"$(t NEW)\",\"$(t b)\"],\"remove_tags\":[\"$(t old)\"]}"
is "$HTTP_STATUS $(json .updated)" "200 3" "add and remove on three: 200, three updated"
is "$(json "[.items[].tags | join(\",\")] | unique | join(\" \")")" \
    "$(t all),$(t b),$(t new)" "each has the new tags, sorted, without the removed one"
is "$(json '[.items[].id] | sort | join(" ")')" \
    "$(printf '%s\n' "${ids[0]}" "${ids[1]}" "${ids[2]}" | sort | xargs)" "the items are the three"
is "$(sql -c "SELECT count(*) FROM reactions WHERE title LIKE '$run%' AND tags @> ARRAY['$(t old)']")" 2 \
    "the other two keep their tags"
moved=0
for r in "${ids[0]}" "${ids[1]}" "${ids[2]}"; do
	old=$(grep -o "$r=[^ ]*" <<<"$before" | cut -d@ -f2)
	[ "$(sql -c "SELECT updated_at > '$old'::timestamptz FROM reactions WHERE id = '$r'")" = t ] &&
	    moved=$((moved + 1))
done
is "$moved" 3 "updated_at moved on each"

# Adding what is there and removing what is not still succeeds.
bulk "{\"ids\":$three,\"add_tags\":[\"$(t all)\"],\"remove_tags\":[\"$(t nope)\"]}"
is "$HTTP_STATUS $(json .updated)" "200 3" "idempotent edits: 200"

# --- all or nothing ----------------------------------------------------------
before=$(state)
unknown=6f1c0d3e-0d0f-4a57-9a53-0b1f3f0d8a11
bulk "{\"ids\":$(ids_json "${ids[0]}" "$unknown" "${ids[3]}"),\"add_tags\":[\"$(t x)\"]}"
is "$HTTP_STATUS $(json .error.code)" "404 not_found" "an unknown id among known ones: 404"
is "$(json '.error.ids | join(" ")')" "$unknown" "the 404 names the unknown id"
is "$(state)" "$before" "nothing changed: tags and updated_at"

bulk "{\"ids\":$(ids_json "${ids[3]}" "$unknown"),\"delete\":true}"
is "$HTTP_STATUS" 404 "a delete with an unknown id: 404"
is "$(state)" "$before" "nothing deleted"

# One reaction with 31 tags: two more would be 33.
request PATCH "/api/v1/reactions/${ids[4]}" "${auth[@]}" "${json_body[@]}" \
    -d "{\"tags\":$(for i in $(seq 1 31); do t "f$i"; done | jq -R . | jq -sc .)}"
is "$HTTP_STATUS" 200 "a reaction with 31 tags"
before=$(state)
bulk "{\"ids\":$(ids_json "${ids[3]}" "${ids[4]}"),\"add_tags\":[\"$(t y1)\",\"$(t y2)\"]}"
is "$HTTP_STATUS $(json .error.field)" "422 add_tags" "a reaction would have 33 tags: 422"
is "$(state)" "$before" "... and the other reaction did not change either"

# 500 unknown ids are taken (and are all unknown); 501 are too many.
many=$(for i in $(seq 1 500); do printf '00000000-0000-4000-8000-%012d\n' "$i"; done | jq -R . | jq -sc .)
bulk "{\"ids\":$many,\"add_tags\":[\"x\"]}"
is "$HTTP_STATUS $(json '.error.ids | length')" "404 500" "500 ids: taken, all 500 unknown named"
many=$(for i in $(seq 1 501); do printf '00000000-0000-4000-8000-%012d\n' "$i"; done | jq -R . | jq -sc .)
bulk "{\"ids\":$many,\"add_tags\":[\"x\"]}"
is "$HTTP_STATUS $(json .error.field)" "422 ids" "501 ids: 422"

# --- bad bodies --------------------------------------------------------------
bad() {
	bulk "$1"
	is "$HTTP_STATUS $(json .error.field)" "422 $2" "$3"
}
bad '{"add_tags":["x"]}' ids "no ids: 422"
bad '{"ids":[],"add_tags":["x"]}' ids "no ids in the list: 422"
bad '{"ids":["nope"],"add_tags":["x"]}' ids "a malformed id: 422"
bad "{\"ids\":$three}" body "nothing to do: 422"
bad "{\"ids\":$three,\"delete\":true,\"add_tags\":[\"x\"]}" delete "delete with tag changes: 422"
bad "{\"ids\":$three,\"delete\":\"yes\"}" delete "delete that is not a boolean: 422"
bad "{\"ids\":$three,\"add_tags\":[\"a b\"]}" add_tags "a bad tag: 422"
bad "{\"ids\":$three,\"title\":\"x\"}" title "an unknown field: 422"
bulk '{"ids":'
is "$HTTP_STATUS" 400 "a broken body: 400"
request POST /api/v1/reactions/bulk "${json_body[@]}" -d "{\"ids\":$three,\"delete\":true}"
is "$HTTP_STATUS" 401 "without a token: 401"
request GET /api/v1/reactions/bulk "${auth[@]}"
is "$HTTP_STATUS $(header allow)" "405 POST" "GET: 405, Allow: POST"

# --- delete ------------------------------------------------------------------
for r in "${ids[0]}" "${ids[1]}" "${ids[2]}"; do
	[ "$(in_bucket "$r")" = 200 ] || diag "$r not in the bucket before the delete"
done
bulk "{\"ids\":$three,\"delete\":true}"
is "$HTTP_STATUS $(json .deleted)" "200 3" "delete three: 200, three deleted"
is "$(sql -c "SELECT count(*) FROM reactions WHERE id IN ('${ids[0]}', '${ids[1]}', '${ids[2]}')")" 0 \
    "the rows are gone at once"
request GET "/api/v1/reactions/${ids[0]}/file"
is "$HTTP_STATUS" 404 "a deleted reaction's link is 404 at once"
is "$(sql -c "SELECT count(*) FROM storage_deletions WHERE object_key IN ('reactions/${ids[0]}', 'reactions/${ids[1]}', 'reactions/${ids[2]}')")" 3 \
    "their objects are queued for removal"
gone() {
	local r
	for r in "${ids[0]}" "${ids[1]}" "${ids[2]}"; do
		[ "$(in_bucket "$r")" = 404 ] || return 1
	done
}
# The sweeper works through the whole queue, oldest first, a batch per
# worker every few seconds: the rows the earlier scripts queued (cut and
# refused uploads) come before these, and under the sanitizers beside
# the other suites 60 s were not always enough. A bound, not a pace.
wait_secs "$SWEEP_WAIT_SECONDS" gone
ok $? "the sweeper removes the objects from the bucket"
is "$(sql -c "SELECT count(*) FROM storage_deletions WHERE object_key IN ('reactions/${ids[0]}', 'reactions/${ids[1]}', 'reactions/${ids[2]}')")" 0 \
    "... and forgets them"
is "$(sql -c "SELECT count(*) FROM reactions WHERE title LIKE '$run%'")" 2 "the other two are there"
bulk "{\"ids\":$three,\"delete\":true}"
is "$HTTP_STATUS $(json '.error.ids | length')" "404 3" "delete them again: 404, all three named"

is "$(sql <<'SQL'
SELECT count(*) FROM tag_counts c FULL JOIN (
    SELECT t, count(*) AS n FROM reactions, unnest(tags) AS t GROUP BY t
) f ON f.t = c.name WHERE c.count IS DISTINCT FROM f.n
SQL
)" 0 "the tag counts equal a full count after the bulk edits"

done_testing
