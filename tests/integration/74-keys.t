#!/usr/bin/env bash
# API keys for tools (issue 12): made with the owner's login and shown
# once, listed without their secret, stored as a hash, told from a login
# by their form; an "upload" key uploads and nothing else (403
# forbidden), a "full" key does what a login does except manage keys;
# a revoked key is refused at once on two instances; the ShareX
# configuration has ShareX's fields, and the Flameshot script, run with
# bash against this instance with a file for the screenshot, uploads it
# and prints the link.
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

need_tools psql python3 sha256sum

pids=()
cleanup() { service_stop_each "${pids[@]}"; }
trap cleanup EXIT

service_start keys-b || { echo "Bail out! reactbin did not start"; exit 1; }
url_b=$REACTBIN_URL
pids+=("$REACTBIN_PID")
service_start keys-a || { echo "Bail out! reactbin did not start"; exit 1; }
url_a=$REACTBIN_URL
pids+=("$REACTBIN_PID")

PSQL_URL=${DATABASE_URL/+asyncpg/}
sql() { psql "$PSQL_URL" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

run=k74$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
owner_login
login=(-H "Authorization: Bearer $token")
json_body=(-H 'content-type: application/json')
work=$(mktemp -d "$REACTBIN_TEST_TMP/keys.XXXXXX")
FIXTURE_DIR=$work

# make NAME SCOPE: a new key; the whole 201 body in $work/NAME.json.
make() {
	request POST /api/v1/keys "${login[@]}" "${json_body[@]}" \
	    -d "{\"name\":\"$1\",\"scope\":\"$2\"}"
	printf '%s' "$HTTP_BODY" >"$work/$1.json"
}

# --- making a key ------------------------------------------------------------
make "$run upload" upload
is "$HTTP_STATUS" 201 "create an upload key: 201"
up_key=$(json .key)
up_id=$(json .id)
like "$up_key" '^rb_[0-9a-f]{12}_[0-9a-f]{64}$' "the key has the rb_<prefix>_<secret> form"
is "$(json '"\(.name)|\(.scope)|\(.last_used_at)"')" "$run upload|upload|null" \
    "name, scope, and last_used_at null"
is "$(json .prefix)" "$(cut -c4-15 <<<"$up_key")" "prefix: the key's"
like "$(json .created_at)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z$' "created_at: RFC 3339"
like "$up_id" '^[0-9a-f-]{36}$' "an id"
is "$(header location)" "/api/v1/keys/$up_id" "Location"
is "$(header cache-control)" "no-store" "the answer with the secret is not cached"

make "$run full" full
is "$HTTP_STATUS" 201 "create a full key: 201"
full_key=$(json .key)
full_id=$(json .id)
isnt "$full_key" "$up_key" "every key is new"

# Only the hash is stored, and nothing holds the secret's text.
is "$(sql -c "SELECT count(*) FROM api_keys WHERE id = '$up_id' AND secret_sha256 = '$(printf '%s' "$up_key" | sha256sum | cut -d' ' -f1)'")" 1 \
    "the stored hash is the SHA-256 of the key"
is "$(sql -c "SELECT count(*) FROM api_keys k WHERE strpos(k::text, '$(cut -c17- <<<"$up_key")') > 0")" 0 \
    "no column holds the secret"

request POST /api/v1/keys "${login[@]}" "${json_body[@]}" -d '{"name":"x"}'
is "$HTTP_STATUS $(json .error.field)" "422 scope" "no scope: 422"
request POST /api/v1/keys "${login[@]}" "${json_body[@]}" -d '{"name":"x","scope":"admin"}'
is "$HTTP_STATUS $(json .error.field)" "422 scope" "an unknown scope: 422"
request POST /api/v1/keys "${login[@]}" "${json_body[@]}" -d '{"name":"","scope":"full"}'
is "$HTTP_STATUS $(json .error.field)" "422 name" "an empty name: 422"
request POST /api/v1/keys "${json_body[@]}" -d '{"name":"x","scope":"full"}'
is "$HTTP_STATUS $(header www-authenticate)" "401 Bearer" "create without a login: 401"
request POST /api/v1/keys "${login[@]}" -H 'Host: a b' "${json_body[@]}" \
    -d '{"name":"x","scope":"full"}'
is "$HTTP_STATUS" 400 "a Host that is no host, without API_BASE_URL: 400"

# --- listing -----------------------------------------------------------------
request GET /api/v1/keys "${login[@]}"
is "$HTTP_STATUS" 200 "list: 200"
is "$(json "[.items[] | select(.id == \"$up_id\" or .id == \"$full_id\")] | length")" 2 \
    "list: both keys"
is "$(json '[.items[] | keys | sort | join(",")] | unique | join(" ")')" \
    "created_at,id,last_used_at,name,prefix,scope" "list: these fields, never the secret"
unlike "$HTTP_BODY" "$(cut -c17- <<<"$up_key")" "list: the secret is nowhere in it"

# --- an upload key -----------------------------------------------------------
up=(-H "Authorization: Bearer $up_key")
FIXTURE_AUTH=("${up[@]}")
r1=$(fixture_upload "by key" "$run-shot")
like "$r1" '^[0-9a-f-]{36}$' "an upload key uploads: 201"
request GET "/api/v1/reactions/$r1" "${login[@]}"
is "$(json .title)" "by key" "... and the reaction is there"

forbidden() {
	local method=$1 path=$2
	shift 2
	request "$method" "$path" "$@"
	is "$HTTP_STATUS $(json .error.code)" "403 forbidden" "upload key: $method $path is 403 forbidden"
}
forbidden GET /api/v1/reactions "${up[@]}"
forbidden GET /api/v1/reactions/random "${up[@]}"
forbidden GET "/api/v1/reactions/$r1" "${up[@]}"
forbidden PATCH "/api/v1/reactions/$r1" "${up[@]}" "${json_body[@]}" -d '{"title":"x"}'
forbidden DELETE "/api/v1/reactions/$r1" "${up[@]}"
forbidden POST /api/v1/reactions/bulk "${up[@]}" "${json_body[@]}" \
    -d "{\"ids\":[\"$r1\"],\"delete\":true}"
forbidden GET /api/v1/tags "${up[@]}"
forbidden POST "/api/v1/tags/$run-shot/rename" "${up[@]}" "${json_body[@]}" -d '{"to":"x"}'
forbidden GET /api/v1/export "${up[@]}"
forbidden GET /api/v1/auth/me "${up[@]}"
forbidden GET /api/v1/keys "${up[@]}"
forbidden POST /api/v1/keys "${up[@]}" "${json_body[@]}" -d '{"name":"x","scope":"full"}'
forbidden DELETE "/api/v1/keys/$up_id" "${up[@]}"
request GET "/api/v1/reactions/$r1" "${login[@]}"
is "$HTTP_STATUS $(json .title)" "200 by key" "the refused edit and delete changed nothing"

# --- a full key --------------------------------------------------------------
full=(-H "Authorization: Bearer $full_key")
request GET "/api/v1/reactions?tags=$run-shot" "${full[@]}"
is "$HTTP_STATUS $(json '.items[0].id')" "200 $r1" "a full key lists"
request PATCH "/api/v1/reactions/$r1" "${full[@]}" "${json_body[@]}" -d '{"title":"edited"}'
is "$HTTP_STATUS $(json .title)" "200 edited" "a full key edits"
request GET /api/v1/auth/me "${full[@]}"
is "$HTTP_STATUS $(json '"\(.username) \(.expires_at) \(.key_id) \(.scope)"')" \
    "200 $OWNER_USERNAME null $full_id full" "auth/me with a key: no expiry, which key"
request GET /api/v1/keys "${full[@]}"
is "$HTTP_STATUS $(json .error.code)" "403 forbidden" "a full key cannot list keys"
request POST /api/v1/keys "${full[@]}" "${json_body[@]}" -d '{"name":"x","scope":"full"}'
is "$HTTP_STATUS $(json .error.code)" "403 forbidden" "a full key cannot make keys"
request DELETE "/api/v1/keys/$full_id" "${full[@]}"
is "$HTTP_STATUS $(json .error.code)" "403 forbidden" "a full key cannot revoke keys"

request GET /api/v1/keys "${login[@]}"
like "$(json ".items[] | select(.id == \"$up_id\") | .last_used_at")" \
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "last_used_at is set once a key is used"

# --- bad keys ----------------------------------------------------------------
bad="rb_000000000000_$(printf '0%.0s' {1..64})"
request GET /api/v1/reactions -H "Authorization: Bearer $bad"
is "$HTTP_STATUS $(header www-authenticate)" "401 Bearer" "an unknown key: 401"
request GET /api/v1/reactions -H "Authorization: Bearer ${full_key%?}0"
if [ "${full_key: -1}" = 0 ]; then
	request GET /api/v1/reactions -H "Authorization: Bearer ${full_key%?}1"
fi
is "$HTTP_STATUS" 401 "a known prefix with a wrong secret: 401"
request GET /api/v1/reactions -H "Authorization: Bearer rb_oops"
is "$HTTP_STATUS" 401 "a malformed key: 401"
fixture_png "$work/bad.png"
request POST /api/v1/reactions -H "Authorization: Bearer $bad" \
    -H 'content-type: image/png' --data-binary "@$work/bad.png"
is "$HTTP_STATUS" 401 "an upload with an unknown key: 401"
is "$(header www-authenticate)" Bearer "with WWW-Authenticate, as every 401"

# --- the uploader configurations ---------------------------------------------
sx="$work/$run upload.json"
is "$(jq -r '.sharex | keys | sort | join(",")' "$sx")" \
    "Body,DestinationType,ErrorMessage,Headers,Name,RequestMethod,RequestURL,URL,Version" \
    "sharex: the .sxcu fields"
is "$(jq -r '.sharex | "\(.RequestMethod) \(.Body) \(.DestinationType)"' "$sx")" \
    "POST Binary ImageUploader, FileUploader" "sharex: a raw POST, image and file uploader"
is "$(jq -r '.sharex.RequestURL' "$sx")" "$url_a/api/v1/reactions" \
    "sharex: the upload URL, from the request's host"
is "$(jq -r '.sharex.Headers.Authorization' "$sx")" "Bearer $up_key" "sharex: the key as a bearer"
is "$(jq -r '.sharex.URL' "$sx")" "$url_a{json:file_url}" "sharex: the link is file_url"
like "$(jq -r '.sharex.Version' "$sx")" '^1[4-9]\.' "sharex: a version that reads {json:...}"

# The script, with a file for the screenshot and no clipboard.
jq -r .flameshot "$sx" >"$work/flameshot.sh"
fixture_png "$work/shot.png"
out=$(env -u DISPLAY -u WAYLAND_DISPLAY REACTBIN_SCREENSHOT="$work/shot.png" \
    bash "$work/flameshot.sh" 2>"$work/flameshot.err")
status=$?
is "$status" 0 "flameshot: the script exits 0"
like "$out" "^$url_a/api/v1/reactions/[0-9a-f-]{36}/file\$" "flameshot: it prints the link"
id=$(sed -n 's|.*/reactions/\([0-9a-f-]*\)/file$|\1|p' <<<"$out")
request GET "/api/v1/reactions/$id" "${login[@]}"
is "$(json .sha256)" "$(sha256sum "$work/shot.png" | cut -d' ' -f1)" "flameshot: the screenshot was uploaded"
is "$(curl -s -o /dev/null -w '%{http_code}' "$out")" 200 "flameshot: the link serves the file"
out=$(env -u DISPLAY -u WAYLAND_DISPLAY REACTBIN_SCREENSHOT="$work/shot.png" \
    bash "$work/flameshot.sh" 2>/dev/null)
like "$out" "/reactions/$id/file\$" "flameshot: the same screenshot again gives its link (409)"

# --- revocation, at once, on both instances ----------------------------------
REACTBIN_URL=$url_b request GET "/api/v1/reactions?tags=$run-shot" "${full[@]}"
is "$HTTP_STATUS" 200 "the full key works on the second instance"
request DELETE "/api/v1/keys/$full_id" "${login[@]}"
is "$HTTP_STATUS" 204 "revoke: 204"
REACTBIN_URL=$url_b request GET "/api/v1/reactions?tags=$run-shot" "${full[@]}"
is "$HTTP_STATUS $(json .error.code)" "401 unauthorized" "revoked: 401 at once on the other instance"
request GET "/api/v1/reactions?tags=$run-shot" "${full[@]}"
is "$HTTP_STATUS" 401 "revoked: 401 on this one"
request DELETE "/api/v1/keys/$up_id" "${login[@]}"
out=$(REACTBIN_SCREENSHOT="$work/shot.png" bash "$work/flameshot.sh" 2>&1)
like "$out" "upload failed \\(401\\)" "flameshot with a revoked key: it says the upload failed"
request DELETE "/api/v1/keys/$full_id" "${login[@]}"
is "$HTTP_STATUS $(json .error.code)" "404 not_found" "revoke again: 404"
request DELETE "/api/v1/keys/not-an-id" "${login[@]}"
is "$HTTP_STATUS" 404 "revoke a malformed id: 404"

# Logins are untouched by all of this.
REACTBIN_URL=$url_b request GET /api/v1/auth/me "${login[@]}"
like "$HTTP_STATUS $(json .expires_at)" '^200 [0-9]{4}-' "a login still works, with its expiry"

done_testing
