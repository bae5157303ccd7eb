#!/usr/bin/env bash
# tests/lib/s3-selftest.sh - TAP self-test of tests/lib/s3.sh.
#
# Starts the throwaway S3 server in a fresh temporary directory, checks that
# it really verifies SigV4 signatures and serves the S3 calls reactbin uses,
# then stops it (always, via a trap) and checks no daemon is left running.
# Run directly or with `prove tests/lib/s3-selftest.sh`.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
S3SH=$HERE/s3.sh
PLAN=15
n=0
failed=0

ok() { # ok COND-EXIT-STATUS DESCRIPTION [DIAGNOSTIC]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		printf 'ok %d - %s\n' "$n" "$2"
	else
		failed=$((failed + 1))
		printf 'not ok %d - %s\n' "$n" "$2"
		if [ $# -ge 3 ] && [ -n "$3" ]; then
			printf '%s\n' "$3" | sed 's/^/#   /'
		fi
	fi
}

is() { # is GOT WANT DESCRIPTION
	local r=1
	[ "$1" = "$2" ] && r=0
	ok "$r" "$3" "got '$1', want '$2'"
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/reactbin-s3-selftest.XXXXXX")
DIR=$WORK/s3
cleanup() {
	"$S3SH" stop "$DIR" >/dev/null 2>&1 || true
	rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

printf '1..%d\n' "$PLAN"

t0=$(date +%s%N)
if ! "$S3SH" start "$DIR" >"$WORK/start.out" 2>"$WORK/start.err"; then
	sed 's/^/# /' "$WORK/start.err"
	printf 'Bail out! s3.sh start failed\n'
	exit 1
fi
t1=$(date +%s%N)
printf '# start took %d ms\n' "$(((t1 - t0) / 1000000))"

# The env file must carry the five settings and match what start printed.
# shellcheck disable=SC1091
. "$DIR/env"
r=0
for v in S3_ENDPOINT_URL S3_BUCKET_NAME S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY S3_REGION; do
	[ -n "${!v:-}" ] || r=1
done
cmp -s "$DIR/env" "$WORK/start.out" || r=1
ok "$r" "start wrote DIR/env with all S3_* settings and printed it"

rss=0
while read -r pid _; do
	kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || kb=0
	rss=$((rss + ${kb:-0}))
done <"$DIR/pids"
printf '# daemons RSS after start: %d MiB\n' "$((rss / 1024))"

URL=$S3_ENDPOINT_URL/$S3_BUCKET_NAME
SIGV4="aws:amz:$S3_REGION:s3"
EMPTY_SHA=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
KEY="dir/object $$.bin"
KEY_ENC="dir/object%20$$.bin"

# s3 SECRET METHOD PATH [BODYFILE [curl args...]]: a SigV4-signed request;
# prints the HTTP status; response body in $WORK/body, headers in
# $WORK/headers. RGW (like AWS) needs x-amz-content-sha256; curl 7.88 does
# not add it by itself, but signs it when given.
s3() {
	local secret=$1 method=$2 path=$3 file=${4:--}
	shift 3
	[ $# -gt 0 ] && shift
	local sha=$EMPTY_SHA
	local -a m=(-X "$method")
	if [ "$file" != - ]; then
		sha=$(sha256sum "$file" | cut -d' ' -f1)
		m+=(-H 'Content-Type: application/octet-stream' --data-binary "@$file")
	fi
	[ "$method" = HEAD ] && m=(--head)
	curl -sS --max-time 30 -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' \
		--aws-sigv4 "$SIGV4" --user "$S3_ACCESS_KEY_ID:$secret" \
		-H "x-amz-content-sha256: $sha" "${m[@]}" "$@" "$URL$path" 2>"$WORK/curl.err" ||
		true
}

head -c 100000 /dev/urandom >"$WORK/payload"
want_len=$(wc -c <"$WORK/payload")

code=$(s3 "$S3_SECRET_ACCESS_KEY" PUT "/$KEY_ENC" "$WORK/payload")
is "$code" 200 "signed PUT of an object"

code=$(s3 "$S3_SECRET_ACCESS_KEY" HEAD "/$KEY_ENC")
len=$(tr -d '\r' <"$WORK/headers" | awk 'tolower($1)=="content-length:" {print $2}')
r=1
[ "$code" = 200 ] && [ "$len" = "$want_len" ] && r=0
ok "$r" "signed HEAD reports the object's length" "code $code, length '$len', want $want_len"

code=$(s3 "$S3_SECRET_ACCESS_KEY" GET "/$KEY_ENC")
r=1
[ "$code" = 200 ] && cmp -s "$WORK/body" "$WORK/payload" && r=0
ok "$r" "signed GET returns the same bytes" "code $code"

code=$(s3 "$S3_SECRET_ACCESS_KEY" GET "/$KEY_ENC" - -H 'Range: bytes=0-9')
r=1
[ "$code" = 206 ] && [ "$(wc -c <"$WORK/body")" = 10 ] &&
	cmp -s "$WORK/body" <(head -c 10 "$WORK/payload") && r=0
ok "$r" "signed ranged GET (bytes=0-9) returns 206 and the first 10 bytes" "code $code"

code=$(s3 "$S3_SECRET_ACCESS_KEY" GET "?list-type=2&prefix=dir%2F")
r=1
[ "$code" = 200 ] && grep -qF "<Key>$KEY</Key>" "$WORK/body" && r=0
ok "$r" "signed ListObjectsV2 lists the object" "code $code: $(head -c 300 "$WORK/body")"

code=$(s3 "wrong-$S3_SECRET_ACCESS_KEY" GET "/$KEY_ENC")
r=1
[ "$code" = 403 ] && grep -q SignatureDoesNotMatch "$WORK/body" && r=0
ok "$r" "GET signed with a wrong secret gets 403 SignatureDoesNotMatch" "code $code"

code=$(s3 "wrong-$S3_SECRET_ACCESS_KEY" PUT "/other.txt" "$WORK/payload")
r=1
[ "$code" = 403 ] && grep -q SignatureDoesNotMatch "$WORK/body" && r=0
ok "$r" "PUT signed with a wrong secret gets 403 SignatureDoesNotMatch" "code $code"

code=$(curl -sS --max-time 30 -o "$WORK/body" -w '%{http_code}' -X PUT \
	--data-binary unsigned "$URL/unsigned.txt" 2>/dev/null) || true
r=1
case $code in 4??) r=0 ;; esac
ok "$r" "unsigned PUT is refused" "code $code"

code=$(curl -sS --max-time 30 -o "$WORK/body" -w '%{http_code}' \
	"$URL/$KEY_ENC" 2>/dev/null) || true
is "$code" 403 "unsigned GET of a private object gets 403"

# Payload integrity: the body must match the signed x-amz-content-sha256.
code=$(curl -sS --max-time 30 -o "$WORK/body" -w '%{http_code}' \
	--aws-sigv4 "$SIGV4" --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" \
	-H "x-amz-content-sha256: $EMPTY_SHA" -X PUT --data-binary tampered \
	"$URL/tampered.txt" 2>/dev/null) || true
is "$code" 400 "PUT whose body does not match x-amz-content-sha256 gets 400"

code=$(s3 "$S3_SECRET_ACCESS_KEY" DELETE "/$KEY_ENC")
is "$code" 204 "signed DELETE of the object"

code=$(s3 "$S3_SECRET_ACCESS_KEY" GET "/$KEY_ENC")
is "$code" 404 "GET after DELETE gets 404"

# stop must end every daemon (checked by pid) and remove the data.
mapfile -t pids < <(awk '{print $1}' "$DIR/pids")
t0=$(date +%s%N)
"$S3SH" stop "$DIR" >/dev/null 2>"$WORK/stop.err"
t1=$(date +%s%N)
printf '# stop took %d ms\n' "$(((t1 - t0) / 1000000))"
left=
for pid in "${pids[@]}"; do
	if [ -e "/proc/$pid" ] && [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
		left="$left $pid"
	fi
done
r=1
[ "${#pids[@]}" = 3 ] && [ -z "$left" ] && [ ! -e "$DIR" ] && r=0
ok "$r" "stop ended all ${#pids[@]} daemons and removed DIR" "still running:$left; $(cat "$WORK/stop.err")"

"$S3SH" stop "$DIR" >/dev/null 2>&1
ok $? "stop is idempotent"

if [ "$n" != "$PLAN" ]; then
	printf '# ran %d tests, planned %d\n' "$n" "$PLAN"
	failed=$((failed + 1))
fi
[ "$failed" = 0 ]
