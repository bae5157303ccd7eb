#!/usr/bin/env bash
# Export and import (issue 12): GET /api/v1/export streams a tar of
# reactions.json and every original, its length known up front and each
# object relayed from S3; parts by limit and since walk the library once;
# a slow reader, a closing connection and two exports on one connection
# all get the exact bytes; an object that storage lost cuts the body
# short rather than send a wrong one. Then tools/import moves the export
# into a second database and bucket: the same files (hashes), tags and
# titles; again, and nothing is added; and a folder whose subfolders
# become tags.
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
# shellcheck source=tests/lib/fixtures.sh
. "$here/../lib/fixtures.sh"

need_tools psql python3 sha256sum tar

pids=()
cleanup() {
	service_stop_each "${pids[@]}"
	private_stop
}
trap cleanup EXIT

# A library of the script's own: the shared one holds every earlier
# script's files by now (hundreds of MB), which each whole export would
# send again; the round trip below gets a second one.
private_pg "$REACTBIN_TEST_TMP/export-a-pg" "$REACTBIN_TEST_TMP/export-a-pg.log"
private_s3 "$REACTBIN_TEST_TMP/export-a-s3" "$REACTBIN_TEST_TMP/export-a-s3.log"
service_start export-a || { echo "Bail out! reactbin did not start"; exit 1; }
url_a=$REACTBIN_URL
pids+=("$REACTBIN_PID")

PSQL_URL=${DATABASE_URL/+asyncpg/}
sql() { psql "$PSQL_URL" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

run=e78$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
owner_login
work=$(mktemp -d "$REACTBIN_TEST_TMP/export.XXXXXX")
FIXTURE_DIR=$work
FIXTURE_AUTH=("${auth[@]}")

# check TAR: what tarfile reads in it, one line of JSON: the members in
# order, whether every file matches its metadata (sha256, size) and the
# metadata's order (oldest first), and reactions.json's own fields.
check() {
	python3 - "$1" <<'PY'
import hashlib, json, sys, tarfile
with tarfile.open(sys.argv[1], "r:") as t:
    members = t.getmembers()
    meta = json.load(t.extractfile(members[0]))
    ok = True
    for r in meta["reactions"]:
        data = t.extractfile(r["file"]).read()
        ok &= hashlib.sha256(data).hexdigest() == r["sha256"]
        ok &= len(data) == r["size_bytes"]
    stamps = [r["created_at"] for r in meta["reactions"]]
    print(json.dumps({
        "first": members[0].name, "members": len(members),
        "files": [m.name for m in members[1:]],
        "listed": [r["file"] for r in meta["reactions"]],
        "ok": ok, "ordered": stamps == sorted(stamps),
        "format": meta["format"], "version": meta["version"],
        "count": meta["count"], "next": meta["next_since"],
        "ids": [r["id"] for r in meta["reactions"]]}))
PY
}
# export NAME QUERY [curl args...]: GET the export into $work/NAME.tar;
# status, headers and the bytes curl got in HTTP_*, EXPORT_SIZE.
export_get() {
	local name=$1 query=$2
	shift 2
	# A body cut short fails curl; the status it got still counts.
	HTTP_STATUS=$(curl -sS -o "$work/$name.tar" -D "$work/$name.head" \
	    -w '%{http_code}' --max-time 120 "${auth[@]}" "$@" \
	    "$url_a/api/v1/export$query" 2>"$work/$name.err")
	HTTP_STATUS=${HTTP_STATUS:-000}
	HTTP_HEADERS=$(tr -d '\r' <"$work/$name.head" |
	    awk -F': ' 'NF > 1 { printf "%s: %s\n", tolower($1), substr($0, length($1) + 3) }')
	EXPORT_SIZE=$(stat -c %s "$work/$name.tar")
}

# --- fixtures: a few small, and one of several relay chunks -----------------
r1=$(fixture_upload "$run first ✓" "$run-a" "$run-b")
r2=$(fixture_upload "$run second" "$run-a")
# More of them, so that the parts below are several.
for i in 1 2 3 4 5 6; do
	fixture_upload "$run more $i" "$run-more" >/dev/null ||
	    { echo "Bail out! a fixture upload failed"; exit 1; }
done
python3 "$here/../lib/make-png.py" $((3 * 1024 * 1024)) "$work/big.png"
request POST "/api/v1/reactions?title=$run%20big&tags=$run-big" "${auth[@]}" \
    -H 'content-type: image/png' --data-binary "@$work/big.png"
r3=$(json .id)
for r in "$r1" "$r2" "$r3"; do
	[[ $r =~ ^[0-9a-f-]{36}$ ]] || { echo "Bail out! a fixture upload failed"; exit 1; }
done
total=$(sql -c "SELECT count(*) FROM reactions")

# --- the whole library --------------------------------------------------------
export_get all ""
is "$HTTP_STATUS" 200 "export: 200"
is "$(header content-type)" application/x-tar "export: a tar"
is "$(header content-length)" "$EXPORT_SIZE" "export: Content-Length up front, and every byte came"
like "$(header content-disposition)" '^attachment; filename="reactbin-export-[0-9]{8}T[0-9]{6}Z\.tar"$' \
    "export: an attachment with a dated name"
is "$(header x-export-count) $(header x-export-next)" "$total " "export: every reaction, no next part"
c=$(check "$work/all.tar")
is "$(jq -r '"\(.first) \(.format) \(.version) \(.count) \(.next)"' <<<"$c")" \
    "reactions.json reactbin-export 1 $total null" "reactions.json first, with what it is"
is "$(jq -r '.members' <<<"$c")" "$((total + 1))" "a file for every reaction"
is "$(jq -r '.files == .listed' <<<"$c")" true "the files in the order reactions.json lists them"
is "$(jq -r .ok <<<"$c")" true "every file's bytes match its sha256 and size"
is "$(jq -r .ordered <<<"$c")" true "oldest first"
is "$(jq -r "[.ids[] | select(. == \"$r1\" or . == \"$r2\" or . == \"$r3\")] | length" <<<"$c")" 3 \
    "the fixtures are in it"
is "$(tail -c 1024 "$work/all.tar" | tr -d '\0' | wc -c)" 0 "it ends with two zero blocks"
tar -tf "$work/all.tar" >/dev/null 2>"$work/tar.err"
ok $? "GNU tar reads it"
is "$(cat "$work/tar.err")" "" "... without a warning"
is "$(tar -xOf "$work/all.tar" "files/$r3.png" | sha256sum | cut -d' ' -f1)" \
    "$(sha256sum "$work/big.png" | cut -d' ' -f1)" "the 3 MiB file is byte-exact"
python3 - "$work/all.tar" "$r1" "$run" >"$work/meta.txt" <<'PY'
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
meta = json.load(t.extractfile("reactions.json"))
r = [x for x in meta["reactions"] if x["id"] == sys.argv[2]][0]
print(r["title"], ",".join(r["tags"]), r["media_type"], r["file"])
PY
is "$(cat "$work/meta.txt")" "$run first ✓ $run-a,$run-b image/png files/$r1.png" \
    "reactions.json has the title, tags and type as the API shows them"

# --- parts --------------------------------------------------------------------
since=
walked=()
parts=0
for _ in $(seq 1 "$((total + 2))"); do
	export_get part "?limit=2${since:+&since=$since}"
	[ "$HTTP_STATUS" = 200 ] || break
	parts=$((parts + 1))
	c=$(check "$work/part.tar")
	[ "$(jq -r .ok <<<"$c")" = true ] || diag "part $parts: bad bytes"
	mapfile -t -O "${#walked[@]}" walked < <(jq -r '.ids[]' <<<"$c")
	since=$(header x-export-next)
	[ "$(jq -r '.next // ""' <<<"$c")" = "$since" ] || diag "part $parts: next_since differs from X-Export-Next"
	[ -n "$since" ] || break
done
is "$parts" "$(((total + 1) / 2))" "parts of two: as many as it takes"
is "${walked[*]}" "$(check "$work/all.tar" | jq -r '.ids | join(" ")')" \
    "the parts walk the library once, in order"

export_get bad "?since=nope"
is "$HTTP_STATUS" 400 "since that is no cursor: 400"
request GET "/api/v1/reactions?sort=oldest&limit=1" "${auth[@]}"
list_cursor=$(json .next_cursor)
export_get bad "?since=$list_cursor"
is "$HTTP_STATUS" 400 "since of a list cursor: 400"
export_get bad "?limit=0"
is "$HTTP_STATUS" 400 "limit=0: 400"
export_get bad "?limit=10001"
is "$HTTP_STATUS" 400 "limit=10001: 400"
HTTP_STATUS=$(curl -s -o /dev/null -w '%{http_code}' "$url_a/api/v1/export")
is "$HTTP_STATUS" 401 "without a token: 401"

# --- how the client reads it ----------------------------------------------------
# same NAME: the archive holds what the first one did, all bytes right
# (reactions.json says when it was made, so the bytes differ there).
whole=$(check "$work/all.tar" | jq -c '{files, ok}')
same() { [ "$(check "$work/$1.tar" | jq -c '{files, ok}')" = "$whole" ]; }
export_get slow "" --limit-rate 2M
is "$HTTP_STATUS $(header content-length)" "200 $EXPORT_SIZE" "a slow reader: every byte"
same slow
ok $? "a slow reader: the same archive"
export_get close "" -H 'Connection: close'
same close
ok $? "Connection: close: the whole archive before the close"
export_get old "" --http1.0
same old
ok $? "HTTP/1.0: the whole archive"
curl -sS "${auth[@]}" -o "$work/one.tar" "$url_a/api/v1/export" \
    -o "$work/two.tar" "$url_a/api/v1/export" 2>"$work/two.err"
same one && same two
ok $? "two exports on one kept-alive connection"

# --- an object storage lost: a short body, never a wrong one ------------------
rl=$(fixture_upload "$run lost" "$run-lost")
s3() {
	curl -sS --aws-sigv4 "aws:amz:$S3_REGION:s3" \
	    --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" "$@"
}
s3 -o /dev/null -X DELETE \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    "$S3_ENDPOINT_URL/$S3_BUCKET_NAME/reactions/$rl"
export_get lost ""
is "$HTTP_STATUS" 200 "a lost object: the head was sent"
ok "$([ "$EXPORT_SIZE" -lt "$(header content-length)" ] && echo 0 || echo 1)" \
    "a lost object: the body is cut short of Content-Length"
service_log_wait 'event=export_cut reason=storage' "$REACTBIN_ERR"
ok $? "a lost object: logged"
request DELETE "/api/v1/reactions/$rl" "${auth[@]}"
is "$HTTP_STATUS" 204 "the reaction that lost its object can be deleted"

# --- the round trip into a second database and bucket -------------------------
private_pg "$work/pg-b" "$work/pg-b.log"
private_s3 "$work/s3-b" "$work/s3-b.log"
service_start export-b || { echo "Bail out! the second reactbin did not start"; exit 1; }
url_b=$REACTBIN_URL
pids+=("$REACTBIN_PID")
token_b=$(login_token)
PSQL_URL_B=${DATABASE_URL/+asyncpg/}

REACTBIN_URL=$url_b REACTBIN_TOKEN=$token_b "$here/../../tools/import" \
    "$work/all.tar" >"$work/import.out" 2>"$work/import.err"
is "$?" 0 "import: exits 0"
like "$(tail -n 1 "$work/import.err")" "^import: $total imported, 0 skipped as duplicates, 0 failed" \
    "import: every reaction imported"
like "$(cat "$work/import.err")" "\\[#+\\] $total/$total" "import: a progress bar"

# What each side has, one line a reaction: sha256, title, tags.
python3 - "$work/all.tar" >"$work/a.txt" <<'PY'
import json, sys, tarfile
meta = json.load(tarfile.open(sys.argv[1]).extractfile("reactions.json"))
for r in sorted(meta["reactions"], key=lambda r: r["sha256"]):
    print(r["sha256"], json.dumps(r["title"], ensure_ascii=False),
          ",".join(r["tags"]))
PY
psql "$PSQL_URL_B" -X -q -At -F ' ' -c "SELECT sha256, to_json(title), array_to_string(tags, ',') FROM reactions ORDER BY sha256" >"$work/b.txt"
is "$(wc -l <"$work/b.txt")" "$total" "the second library has as many reactions"
cmp -s "$work/a.txt" "$work/b.txt"
ok $? "the same files (hashes), titles and tags"
[ -s "$work/a.txt" ] && diff "$work/a.txt" "$work/b.txt" | head -n 5 | while read -r l; do diag "$l"; done

# The bytes themselves, from the second bucket through the second API.
request GET "/api/v1/reactions?tags=$run-big" -H "Authorization: Bearer $token_b"
big_b=$(json '.items[0].id')
is "$(curl -s "$url_b/api/v1/reactions/$big_b/file" | sha256sum | cut -d' ' -f1)" \
    "$(sha256sum "$work/big.png" | cut -d' ' -f1)" "the 3 MiB file came across byte-exact"

REACTBIN_URL=$url_b REACTBIN_TOKEN=$token_b "$here/../../tools/import" - \
    <"$work/all.tar" >/dev/null 2>"$work/again.err"
is "$?" 0 "import again (from standard input): exits 0"
like "$(tail -n 1 "$work/again.err")" "^import: 0 imported, $total skipped as duplicates, 0 failed" \
    "import again: every file skipped as a duplicate"
is "$(psql "$PSQL_URL_B" -X -At -c "SELECT count(*) FROM reactions")" "$total" "import again: nothing added"

# A folder: subfolder names are tags, file names titles; other files are left.
mkdir -p "$work/gifs/Yuru Yuri/Akari" "$work/gifs/Cats" "$work/gifs/.hidden"
fixture_png "$work/gifs/Yuru Yuri/Akari/annoyed.png"
fixture_png "$work/gifs/Cats/Sleepy cat.PNG"
fixture_png "$work/gifs/top.png"
fixture_png "$work/gifs/.hidden/no.png"
echo notes >"$work/gifs/notes.txt"
REACTBIN_URL=$url_b REACTBIN_TOKEN=$token_b "$here/../../tools/import" \
    "$work/gifs" >/dev/null 2>"$work/folder.err"
is "$?" 0 "import a folder: exits 0"
like "$(tail -n 1 "$work/folder.err")" "^import: 3 imported" "import a folder: the three images"
is "$(psql "$PSQL_URL_B" -X -At -c "SELECT string_agg(title || '=' || array_to_string(tags, ','), ' ' ORDER BY title) FROM reactions WHERE sha256 IN ('$(sha256sum "$work/gifs/Yuru Yuri/Akari/annoyed.png" "$work/gifs/Cats/Sleepy cat.PNG" "$work/gifs/top.png" | cut -d' ' -f1 | paste -sd, - | sed "s/,/','/g")')")" \
    "Sleepy cat=cats annoyed=akari,yuru-yuri top=" "import a folder: titles from the names, tags from the folders"

REACTBIN_URL=$url_b REACTBIN_TOKEN=bad "$here/../../tools/import" "$work/gifs" \
    >/dev/null 2>"$work/denied.err"
is "$?" 1 "import with a bad token: exits 1"
like "$(cat "$work/denied.err")" "401" "import with a bad token: says why"

done_testing
