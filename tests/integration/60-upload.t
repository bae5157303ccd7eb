#!/usr/bin/env bash
# Upload: POST /api/v1/reactions, raw and multipart, against the real
# PostgreSQL and S3. Media is made fresh (random pixels, a random tag in
# the clips' metadata) so that no other test's uploads collide with ours.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/http.sh
. "$here/../lib/http.sh"
# shellcheck source=tests/lib/service.sh
. "$here/../lib/service.sh"

need_tools convert ffmpeg psql sha256sum

# The throwaway S3 wants the payload hash of a bodiless request signed.
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
UUID_V4='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
SMALL_LIMIT=100000
# What a client that leaves early reads of the large file first.
PARTIAL_BYTES=1000000

media=$(mktemp -d "$REACTBIN_TEST_TMP/upload-media.XXXXXX")
FF=(ffmpeg -hide_banner -loglevel error -y)

# make NAME: a new file of each type, different bytes every call.
# Dimensions: gif 48x32, png 40x30, jpg 64x48, webp 50x20, clips 32x24.
make_media() {
	local name=$1 salt
	salt=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	convert -size 48x32 xc: +noise Random "$media/$name.gif" &&
	    convert -size 40x30 xc: +noise Random -depth 8 "$media/$name.png" &&
	    convert -size 64x48 xc: +noise Random -quality 80 "$media/$name.jpg" &&
	    convert -size 50x20 xc: +noise Random -quality 80 "$media/$name.webp" &&
	    "${FF[@]}" -f lavfi -i "testsrc=size=32x24:rate=5:duration=1" \
		-c:v libx264 -pix_fmt yuv420p -metadata "comment=$salt" \
		"$media/$name.mp4" &&
	    "${FF[@]}" -f lavfi -i "testsrc=size=32x24:rate=5:duration=1" \
		-c:v libvpx -b:v 50k -metadata "comment=$salt" "$media/$name.webm"
}

if ! { make_media raw && make_media multi && make_media extra; }; then
	echo "Bail out! could not make the sample media"
	exit 1
fi

declare -A MIME=([gif]=image/gif [png]=image/png [jpg]=image/jpeg
    [webp]=image/webp [mp4]=video/mp4 [webm]=video/webm)
declare -A WIDTH=([gif]=48 [png]=40 [jpg]=64 [webp]=50 [mp4]=32 [webm]=32)
declare -A HEIGHT=([gif]=32 [png]=30 [jpg]=48 [webp]=20 [mp4]=24 [webm]=24)
TYPES=(gif png jpg webp mp4 webm)

sha_of() { sha256sum "$1" | cut -d' ' -f1; }
size_of() { stat -c %s "$1"; }

psql_value() { psql "$DATABASE_URL" -XAtqc "$1"; }

# s3_get KEY OUT: fetch an object with a signed GET; prints the status.
s3_get() {
	curl -sS -o "$2" -w '%{http_code}' \
	    --aws-sigv4 "aws:amz:$S3_REGION:s3" \
	    --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" \
	    -H "x-amz-content-sha256: $EMPTY_SHA256" \
	    "$S3_ENDPOINT_URL/$S3_BUCKET_NAME/$1"
}

# s3_keys: every object key under reactions/, one a line, all pages.
s3_keys() {
	local token="" page query
	while :; do
		query="list-type=2&prefix=reactions%2F"
		[ -n "$token" ] && query="$query&continuation-token=$token"
		page=$(curl -sS --aws-sigv4 "aws:amz:$S3_REGION:s3" \
		    --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" \
		    -H "x-amz-content-sha256: $EMPTY_SHA256" \
		    "$S3_ENDPOINT_URL/$S3_BUCKET_NAME?$query") || return 1
		case $page in *"<ListBucketResult"*) ;; *) return 1 ;; esac
		grep -o '<Key>[^<]*</Key>' <<<"$page" | sed 's/<[^>]*>//g'
		case $page in *"<IsTruncated>true</IsTruncated>"*) ;; *) return 0 ;; esac
		token=$(grep -o '<NextContinuationToken>[^<]*<' <<<"$page" |
		    sed 's/<[^>]*>//g; s/<$//' | jq -Rr @uri)
		[ -n "$token" ] || return 1
	done
}

# upload_slowly FILE [curl args...]: POST FILE at 20 KB/s without waiting
# for a 100 Continue; sets what request() sets, and SENT (bytes sent).
upload_slowly() {
	local file=$1 tmp out
	shift
	tmp=$(mktemp -d)
	out=$(curl -sS -o "$tmp/body" -D "$tmp/headers" --max-time 60 \
	    -w '%{http_code} %{size_upload}' --limit-rate 20k -H 'Expect:' \
	    "$@" --data-binary "@$file" "$REACTBIN_URL/api/v1/reactions") ||
	    out="000 0"
	HTTP_STATUS=${out% *}
	SENT=${out#* }
	HTTP_BODY=$(cat "$tmp/body" 2>/dev/null || true)
	HTTP_HEADERS=$(tr -d '\r' <"$tmp/headers" 2>/dev/null |
	    awk -F': ' 'NF > 1 { printf "%s: %s\n", tolower($1), substr($0, length($1) + 3) }')
	rm -rf "$tmp"
}

# check_reaction FILE TYPE NAME: the body is the reaction for FILE.
check_reaction() {
	local file=$1 type=$2 what=$3 id
	id=$(json .id)
	like "$id" "$UUID_V4" "$what: a v4 UUID id"
	is "$(header location)" "/api/v1/reactions/$id" "$what: Location"
	is "$(json .media_type)" "${MIME[$type]}" "$what: media_type from the bytes"
	is "$(json .width)x$(json .height)" "${WIDTH[$type]}x${HEIGHT[$type]}" \
	    "$what: width and height"
	is "$(json .size_bytes)" "$(size_of "$file")" "$what: size_bytes"
	is "$(json .sha256)" "$(sha_of "$file")" "$what: sha256"
	like "$(json .file_url)" "/api/v1/reactions/$id/file\$" "$what: file_url"
	like "$(json .created_at)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' \
	    "$what: created_at in RFC 3339 UTC"
}

service_start upload || { echo "Bail out! reactbin did not start"; exit 1; }
trap service_stop EXIT
TOKEN=$(login_token)
[ -n "$TOKEN" ] || { echo "Bail out! no token"; exit 1; }
AUTH=(-H "Authorization: Bearer $TOKEN")

# --- Authentication -------------------------------------------------------

request POST /api/v1/reactions --data-binary "@$media/extra.gif"
is "$HTTP_STATUS" 401 "no token: 401"
is "$(header www-authenticate)" Bearer "401 carries WWW-Authenticate: Bearer"
is "$(json .error.code)" unauthorized "401 code unauthorized"

request POST /api/v1/reactions -H "Authorization: Bearer x.y.z" \
    -F "file=@$media/extra.gif"
is "$HTTP_STATUS" 401 "bad token, multipart: 401"

request POST /api/v1/reactions --data-binary ''
is "$HTTP_STATUS" 401 "no token, empty body: 401"

# A stranger's large body is refused before it is read: at 20 KB/s the
# 5 MB would take minutes, and curl gets its answer after the headers.
head -c 5000000 /dev/urandom >"$media/noise.bin"
upload_slowly "$media/noise.bin"
is "$HTTP_STATUS" 401 "no token, 5 MB body: 401"
ok "$([ "$SENT" -lt 5000000 ] && echo 0 || echo 1)" \
    "the stranger's body was not read to its end (sent $SENT bytes)"

# --- Success, each type, both forms ----------------------------------------

declare -A RAW_ID
for type in "${TYPES[@]}"; do
	file="$media/raw.$type"
	# The declared type is a lie on purpose: only the bytes count.
	request POST "/api/v1/reactions?title=raw+$type&tags=Zeta,alpha%20Beta,alpha" \
	    "${AUTH[@]}" -H 'content-type: application/octet-stream' \
	    --data-binary "@$file"
	is "$HTTP_STATUS" 201 "raw $type: 201"
	check_reaction "$file" "$type" "raw $type"
	is "$(json '.tags|tojson')" '["alpha","beta","zeta"]' \
	    "raw $type: tags normalised, unique, sorted"
	is "$(json .title)" "raw $type" "raw $type: title from the query"
	RAW_ID[$type]=$(json .id)
done

for type in "${TYPES[@]}"; do
	file="$media/multi.$type"
	request POST /api/v1/reactions "${AUTH[@]}" \
	    -F "file=@$file;type=text/plain" -F "title=Annoyed Akari ($type)" \
	    -F 'tags=yuru-yuri annoyed,AKARI'
	is "$HTTP_STATUS" 201 "multipart $type: 201"
	check_reaction "$file" "$type" "multipart $type"
	is "$(json '.tags|tojson')" '["akari","annoyed","yuru-yuri"]' \
	    "multipart $type: tags normalised and sorted"
	is "$(json .title)" "Annoyed Akari ($type)" "multipart $type: title"
done

# Stored as sent: the object's bytes are the file's.
request POST /api/v1/reactions "${AUTH[@]}" --data-binary "@$media/extra.jpg"
is "$HTTP_STATUS" 201 "no title, no tags: 201"
is "$(json .title)" "" "title defaults to empty"
is "$(json '.tags|tojson')" "[]" "tags default to none"
key="reactions/$(json .id)"
is "$(s3_get "$key" "$media/fetched.jpg")" 200 "the object is in the bucket"
is "$(sha_of "$media/fetched.jpg")" "$(sha_of "$media/extra.jpg")" \
    "the object's bytes are the upload's"
is "$(psql_value "SELECT object_key FROM reactions WHERE id = '$(json .id)'")" \
    "$key" "the row names the object"

# Tags from a form field and the query add up; a 200-character title of
# two-byte characters is fine.
title200=$(printf 'é%.0s' $(seq 1 200))
request POST "/api/v1/reactions?tags=from-query" "${AUTH[@]}" \
    -F "file=@$media/extra.webp" -F "title=$title200" -F 'tags=b' -F 'tags=a'
is "$HTTP_STATUS" 201 "repeated tags fields and the query: 201"
is "$(json '.tags|tojson')" '["a","b","from-query"]' "all tags kept, sorted"
is "$(json .title)" "$title200" "a 200-character title is kept whole"

# --- Duplicates ------------------------------------------------------------

request POST /api/v1/reactions "${AUTH[@]}" -F "file=@$media/raw.gif" \
    -F 'tags=other'
is "$HTTP_STATUS" 409 "the same bytes again: 409"
is "$(json .error.code)" duplicate "409 code duplicate"
is "$(json .reaction.id)" "${RAW_ID[gif]}" "409 body holds the existing reaction"
is "$(json '.reaction.tags|tojson')" '["alpha","beta","zeta"]' \
    "the existing reaction is unchanged"
is "$(header location)" "/api/v1/reactions/${RAW_ID[gif]}" \
    "409 Location names the existing reaction"
is "$(psql_value "SELECT count(*) FROM reactions WHERE sha256 = '$(sha_of "$media/raw.gif")'")" \
    1 "still one row for those bytes"

request POST /api/v1/reactions "${AUTH[@]}" --data-binary "@$media/multi.webm"
is "$HTTP_STATUS" 409 "raw upload of a multipart upload's bytes: 409"

# Several uploads of the same new bytes at once: however they interleave
# (one may lose the insert after its PUT), exactly one is created, the
# others get it back as a 409, and no object of a loser stays behind
# (checked with the bucket at the end).
convert -size 800x600 xc: +noise Random -depth 8 "$media/race.png"
racers=()
for i in 1 2 3 4 5 6; do
	curl -sS -o "$media/race.$i.json" -w '%{http_code}\n' --max-time 60 \
	    "${AUTH[@]}" --data-binary "@$media/race.png" \
	    "$REACTBIN_URL/api/v1/reactions" >"$media/race.$i.status" &
	racers+=($!)
done
# Only the racers: the instance itself is a background job too.
wait "${racers[@]}"
statuses=$(cat "$media"/race.*.status | sort | uniq -c | tr -s ' ' | tr '\n' ';')
is "$statuses" " 1 201; 5 409;" "six racing uploads: one 201, five 409"
ids=$(jq -r '.id // .reaction.id' "$media"/race.*.json | sort -u)
is "$(wc -l <<<"$ids")" 1 "every racing upload names the same reaction"
is "$(psql_value "SELECT count(*) FROM reactions WHERE sha256 = '$(sha_of "$media/race.png")'")" \
    1 "one row for the racing bytes"
raced=$(grep -c 'event=upload_raced' "$REACTBIN_OUT")
diag "uploads that lost the insert after their PUT: $raced"

# --- Unsupported media -------------------------------------------------------

printf '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n' \
    >"$media/x.svg"
printf '<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>\n' \
    >"$media/x.html"
printf 'just some text\n' >"$media/x.txt"
head -c $(($(size_of "$media/extra.gif") / 2)) "$media/extra.gif" \
    >"$media/truncated.gif"

for f in x.svg x.html x.txt truncated.gif; do
	request POST /api/v1/reactions "${AUTH[@]}" -H 'content-type: image/gif' \
	    --data-binary "@$media/$f"
	is "$HTTP_STATUS" 415 "$f: 415"
	is "$(json .error.code)" unsupported_media_type "$f: code unsupported_media_type"
done

request POST /api/v1/reactions "${AUTH[@]}" -F "file=@$media/x.svg;type=image/gif"
is "$HTTP_STATUS" 415 "SVG in a multipart form: 415"

# --- Validation --------------------------------------------------------------

# expect_422 FIELD NAME: the last request was a 422 for FIELD.
expect_422() {
	is "$HTTP_STATUS" 422 "$2: 422"
	is "$(json .error.code)/$(json .error.field)" "validation_failed/$1" \
	    "$2: validation_failed on $1"
}

: >"$media/empty.gif"
request POST /api/v1/reactions "${AUTH[@]}" -H 'content-type: image/gif' \
    --data-binary ''
expect_422 file "empty raw body"
request POST /api/v1/reactions "${AUTH[@]}" -F "file=@$media/empty.gif"
expect_422 file "empty file part"
request POST /api/v1/reactions "${AUTH[@]}" -F 'title=no file' -F 'tags=a'
expect_422 file "multipart without a file part"
request POST /api/v1/reactions "${AUTH[@]}" -F "file=@$media/extra.gif" \
    -F "file=@$media/extra.png"
expect_422 file "two file parts"

tag65=$(printf 'a%.0s' $(seq 1 65))
tags33=$(seq -s, -f 't%g' 1 33)
for bad in '-x' 'a*b' "$tag65" "$tags33" 'ok,-x'; do
	request POST "/api/v1/reactions?tags=$(jq -rn --arg v "$bad" '$v|@uri')" \
	    "${AUTH[@]}" --data-binary "@$media/extra.gif"
	expect_422 tags "query tags '${bad:0:20}'"
done
request POST /api/v1/reactions "${AUTH[@]}" -F "file=@$media/extra.gif" \
    -F 'tags=fine a*b'
expect_422 tags "multipart tags 'fine a*b'"
request POST /api/v1/reactions "${AUTH[@]}" -F "file=@$media/extra.gif" \
    -F "tags=$tags33"
expect_422 tags "multipart with 33 tags"

title201=$(printf 'a%.0s' $(seq 1 201))
request POST "/api/v1/reactions?title=$title201" "${AUTH[@]}" \
    --data-binary "@$media/extra.gif"
expect_422 title "201-character title"
request POST "/api/v1/reactions?title=a%01b" "${AUTH[@]}" \
    --data-binary "@$media/extra.gif"
expect_422 title "title with a control character (query)"
request POST /api/v1/reactions "${AUTH[@]}" -F "file=@$media/extra.gif" \
    -F "$(printf 'title=a\tb')"
expect_422 title "title with a tab (multipart)"
request POST "/api/v1/reactions?title=a%FFb" "${AUTH[@]}" \
    --data-binary "@$media/extra.gif"
expect_422 title "title that is not UTF-8"
request POST "/api/v1/reactions?title=one" "${AUTH[@]}" \
    -F "file=@$media/extra.gif" -F 'title=two'
expect_422 title "title given twice"

# Nothing of the refused extra.gif uploads was stored.
is "$(psql_value "SELECT count(*) FROM reactions WHERE sha256 = '$(sha_of "$media/extra.gif")'")" \
    0 "no refused upload left a row"

# --- Broken requests ---------------------------------------------------------

request POST /api/v1/reactions "${AUTH[@]}" \
    -H 'content-type: multipart/form-data' --data-binary "@$media/extra.gif"
is "$HTTP_STATUS" 400 "multipart without a boundary: 400"
is "$(json .error.code)" bad_request "code bad_request"

printf -- '--b\r\nContent-Disposition: form-data; name="file"\r\n\r\nGIF89a' \
    >"$media/truncated.form"
request POST /api/v1/reactions "${AUTH[@]}" \
    -H 'content-type: multipart/form-data; boundary=b' \
    --data-binary "@$media/truncated.form"
is "$HTTP_STATUS" 400 "truncated multipart body: 400"

request POST "/api/v1/reactions?title=%zz" "${AUTH[@]}" \
    --data-binary "@$media/extra.gif"
is "$HTTP_STATUS" 400 "malformed query string: 400"

# --- A large file round-trips ----------------------------------------------

# Random pixels do not compress: 4000x3000 RGB is a ~36 MB PNG.
convert -size 4000x3000 xc: +noise Random -depth 8 "$media/big.png"
big=$(size_of "$media/big.png")
ok "$([ "$big" -ge 30000000 ] && echo 0 || echo 1)" "the large PNG has $big bytes"
request POST /api/v1/reactions "${AUTH[@]}" -F "file=@$media/big.png" \
    -F 'tags=big'
is "$HTTP_STATUS" 201 "large multipart upload: 201"
is "$(json .size_bytes)" "$big" "large upload: size_bytes"
is "$(json .sha256)" "$(sha_of "$media/big.png")" "large upload: sha256"
is "$(json .width)x$(json .height)" 4000x3000 "large upload: dimensions"
is "$(s3_get "reactions/$(json .id)" "$media/big.fetched")" 200 \
    "large upload: the object is in the bucket"
is "$(sha_of "$media/big.fetched")" "$(sha_of "$media/big.png")" \
    "large upload: the stored bytes are the file's"
big_id=$(json .id)

# A client that stops reading part way: its access line counts what was
# sent (it said bytes=0 when the client left before the relay ended).
curl -s -H 'X-Request-Id: big-partial' \
    "$REACTBIN_URL/api/v1/reactions/$big_id/file" | head -c "$PARTIAL_BYTES" >/dev/null
service_log_wait ' request_id=big-partial '
sent=$(grep ' request_id=big-partial ' "$REACTBIN_OUT" | grep -o ' bytes=[0-9]*' | cut -d= -f2)
ok "$([ "${sent:-0}" -ge "$PARTIAL_BYTES" ]; echo $?)" \
    "a download cut short by the client logs the bytes relayed (${sent:-none})"
rm -f "$media/big.png" "$media/big.fetched"

service_stop TERM

# --- Size limits -------------------------------------------------------------

service_start upload-small "MAX_UPLOAD_BYTES=$SMALL_LIMIT" ||
    { echo "Bail out! the small-limit instance did not start"; exit 1; }

head -c 200000 /dev/urandom >"$media/200k.bin"
head -c 120000 /dev/urandom >"$media/120k.bin"

# Over limit + 64 KiB: refused from the headers. At 20 KB/s the body would
# take ten seconds; the answer comes after the first burst.
upload_slowly "$media/200k.bin" "${AUTH[@]}" -H 'content-type: image/png'
is "$HTTP_STATUS" 413 "Content-Length over limit + 64 KiB: 413"
ok "$([ "$SENT" -lt 200000 ] && echo 0 || echo 1)" \
    "the oversized body was not read to its end (sent $SENT bytes)"
is "$(json .error.code)" payload_too_large "the 413 is JSON with code payload_too_large"
like "$(header x-request-id)" '.+' "the 413 carries X-Request-Id"

# Under limit + 64 KiB, but the file itself is over the limit.
request POST /api/v1/reactions "${AUTH[@]}" \
    -F "file=@$media/120k.bin" -F 'title=too big'
is "$HTTP_STATUS" 413 "a file part over the limit: 413"
is "$(json .error.code)" payload_too_large "code payload_too_large"
request POST /api/v1/reactions "${AUTH[@]}" --data-binary "@$media/120k.bin"
is "$HTTP_STATUS" 413 "a raw file over the limit: 413"

# The limit itself is fine.
request POST /api/v1/reactions "${AUTH[@]}" --data-binary "@$media/extra.png"
is "$HTTP_STATUS" 201 "a file under the limit: 201"

service_stop TERM

# --- Storage failure -----------------------------------------------------------

service_start upload-bad-s3 S3_SECRET_ACCESS_KEY=wrong-secret ||
    { echo "Bail out! the bad-S3 instance did not start"; exit 1; }
request POST /api/v1/reactions "${AUTH[@]}" --data-binary "@$media/extra.mp4"
like "$HTTP_STATUS" '^50[23]$' "storage refusing the PUT: 502/503"
is "$(json .error.code)" storage_unavailable "code storage_unavailable"
is "$(psql_value "SELECT count(*) FROM reactions WHERE sha256 = '$(sha_of "$media/extra.mp4")'")" \
    0 "no row left behind"
service_stop TERM

# --- The bucket and the table agree ----------------------------------------

keys=$(s3_keys)
ok $? "the bucket lists"
rows=$(psql_value "SELECT object_key FROM reactions ORDER BY 1")
pending=$(psql_value "SELECT object_key FROM storage_deletions ORDER BY 1")
missing=$(comm -23 <(sort <<<"$rows") <(sort <<<"$keys") | grep -c . || true)
is "$missing" 0 "every row's object is in the bucket"
# An object without a row is only one still queued for removal (other
# tests' deletes) - never one this test's uploads left.
stray=$(comm -13 <(sort <<<"$rows") <(sort <<<"$keys") |
    comm -23 - <(sort <<<"$pending") | grep -c . || true)
is "$stray" 0 "every object without a row is queued for removal"
ours=$(psql_value "SELECT count(*) FROM reactions WHERE id IN ($(printf "'%s'," "${RAW_ID[@]}" | sed 's/,$//'))")
is "$ours" "${#TYPES[@]}" "the raw uploads' rows are all there"

done_testing
