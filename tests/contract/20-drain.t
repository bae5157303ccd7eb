#!/usr/bin/env bash
# SIGTERM, as the contract wants it, on the production process (run as in
# 10-process.t): with slow uploads, a login held up by the database and a
# slow download in flight, kore's parent gets SIGTERM. Every request in
# flight completes with its normal status and complete body, the answers
# sent after the signal say "Connection: close", an idle keep-alive
# connection is closed, a new connection is refused, and the parent exits
# 0 within 30 s.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/http.sh
. "$here/../lib/http.sh"
# shellcheck source=tests/lib/wait.sh
. "$here/../lib/wait.sh"
# shellcheck source=tests/contract/prod.sh
. "$here/prod.sh"

need_tools psql convert sha256sum jq timeout
prod_require

# The contract's limit, and the sizes that keep each request busy for
# several seconds after the signal.
DRAIN_LIMIT_MS=30000
DOWNLOAD_BYTES=$((20 * 1024 * 1024))
DOWNLOAD_RATE=2M
UPLOAD_RATE=200k
DB_HOLD_SECONDS=4
SIGNAL_TO_PROBE_SECONDS=0.5
# Waits for a state the test sets up itself (a lock taken, a transfer
# started); reaching them is not what is tested.
SETUP_WAIT_TENTHS=100

EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
PSQL_URL=${DATABASE_URL/#postgresql+asyncpg:/postgresql:}

psql_value() { psql "$PSQL_URL" -XAtqc "$1"; }
sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# s3 METHOD KEY [curl args]: a signed request; prints the status.
s3() {
	local method=$1 key=$2
	shift 2
	curl -sS -o /dev/null -w '%{http_code}' -X "$method" \
	    --aws-sigv4 "aws:amz:$S3_REGION:s3" \
	    --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" "$@" \
	    "$S3_ENDPOINT_URL/$S3_BUCKET_NAME/$key"
}

# The rows this test made, removed with their objects at the end.
made_ids=()
cleanup() {
	local id key
	for id in "${made_ids[@]}"; do
		key=$(psql_value "DELETE FROM reactions WHERE id = '$id' RETURNING object_key")
		[ -n "$key" ] && s3 DELETE "$key" \
		    -H "x-amz-content-sha256: $EMPTY_SHA256" >/dev/null
	done
	prod_cleanup
}
trap cleanup EXIT
prod_user || { echo "Bail out! could not create UID/GID $PROD_UID"; exit 1; }
work="$PROD_ROOT/client"
mkdir -p "$work"

# header_of FILE NAME: a header's value from a curl -D dump.
header_of() {
	tr -d '\r' <"$1" | awk -F': ' -v n="$2" 'tolower($1) == n { print $2; exit }'
}

# --- Setup -------------------------------------------------------------------

prod_start drain || { echo "Bail out! the production instance did not start"; exit 1; }
REACTBIN_URL=$PROD_URL
token=$(login_token)
if [ -z "$token" ] || [ "$token" = null ]; then
	echo "Bail out! could not log in"
	exit 1
fi

# A 20 MiB object, stored straight in the bucket with its row, so that its
# download through the service lasts about ten seconds at 2 MiB/s.
big="$work/big.bin"
head -c "$DOWNLOAD_BYTES" /dev/urandom >"$big"
big_sha=$(sha_of "$big")
big_id=$(cat /proc/sys/kernel/random/uuid)
status=$(s3 PUT "reactions/$big_id" -H "x-amz-content-sha256: $big_sha" \
    -H 'content-type: application/octet-stream' -T "$big")
[ "$status" = 200 ] || { echo "Bail out! S3 PUT of the large object: $status"; exit 1; }
made_ids+=("$big_id")
psql_value "INSERT INTO reactions (id, title, media_type, size_bytes, sha256,
    object_key) VALUES ('$big_id', 'drain download', 'video/mp4',
    $DOWNLOAD_BYTES, '$big_sha', 'reactions/$big_id')" >/dev/null ||
    { echo "Bail out! could not insert the large object's row"; exit 1; }

# Two ~1 MB valid PNGs of random pixels, about five seconds each at 200 kB/s.
uploads=()
if grep -q 'handler[[:space:]]*reaction_upload' "$PROD_DIR/kore.conf"; then
	uploads=(up1 up2)
	for u in "${uploads[@]}"; do
		convert -size 600x560 xc: +noise Random -depth 8 "$work/$u.png" ||
		    { echo "Bail out! could not make $u.png"; exit 1; }
	done
else
	diag "no upload route (reaction_upload) in kore.conf.in: the drain is" \
	    "tested with a login and a download in flight only"
fi

# --- In flight when the signal comes -----------------------------------------

# (c) the slow download
curl -sS --limit-rate "$DOWNLOAD_RATE" -o "$work/dl.bin" -D "$work/dl.h" \
    -w '%{http_code}' "$PROD_URL/api/v1/reactions/$big_id/file" \
    >"$work/dl.code" 2>"$work/dl.err" &
dl_pid=$!

# (a) the slow uploads
up_pids=()
for u in "${uploads[@]}"; do
	curl -sS --limit-rate "$UPLOAD_RATE" -o "$work/$u.body" -D "$work/$u.h" \
	    -w '%{http_code}' -H "Authorization: Bearer $token" \
	    -H 'content-type: image/png' --data-binary "@$work/$u.png" \
	    "$PROD_URL/api/v1/reactions" >"$work/$u.code" 2>"$work/$u.err" &
	up_pids+=($!)
done

# (b) a login that waits for a lock held by another session
psql "$PSQL_URL" -Xq -c "BEGIN; LOCK TABLE login_attempts IN ACCESS EXCLUSIVE MODE;
    SELECT pg_sleep($DB_HOLD_SECONDS); COMMIT;" >/dev/null 2>"$work/lock.err" &
lock_pid=$!
locks() {
	psql_value "SELECT count(*) FROM pg_locks
	    WHERE relation = 'login_attempts'::regclass AND $1"
}
lock_taken() { [ "$(locks "mode = 'AccessExclusiveLock' AND granted")" -ge 1 ]; }
login_waits() { [ "$(locks "NOT granted")" -ge 1 ]; }
wait_for "$SETUP_WAIT_TENTHS" lock_taken ||
    { echo "Bail out! the lock on login_attempts was not taken"; exit 1; }
curl -sS -o "$work/login.body" -D "$work/login.h" -w '%{http_code}' \
    -H 'content-type: application/json' \
    -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"$OWNER_PASSWORD\"}" \
    "$PROD_URL/api/v1/auth/login" >"$work/login.code" 2>"$work/login.err" &
login_pid=$!
wait_for "$SETUP_WAIT_TENTHS" login_waits ||
    { echo "Bail out! the login did not reach the database"; exit 1; }

# An idle keep-alive connection: one request answered, then nothing.
exec 5<>"/dev/tcp/127.0.0.1/${PROD_URL##*:}"
printf 'GET /api/v1/health HTTP/1.1\r\nHost: drain\r\n\r\n' >&5
keepalive_first=
while IFS= read -r -t 5 line <&5; do
	[ -z "$keepalive_first" ] && keepalive_first=$line
	[ "$line" = $'\r' ] && break
done
read -r -t 5 -N "$(printf '{"status":"ok"}' | wc -c)" _ <&5

download_started() { [ -s "$work/dl.bin" ]; }
wait_for "$SETUP_WAIT_TENTHS" download_started ||
    { echo "Bail out! the download did not start"; exit 1; }

# --- SIGTERM -----------------------------------------------------------------

prod_signal TERM
signal_at=$PROD_SIGNAL_AT
sleep "$SIGNAL_TO_PROBE_SECONDS"

curl -sS -o /dev/null --max-time 5 "$PROD_URL/api/v1/health" 2>"$work/new.err"
new_rc=$?
is "$new_rc" 7 "a new connection after the signal is refused (curl exit 7)"

timeout 5 cat <&5 >/dev/null
idle_rc=$?
exec 5<&-
like "$keepalive_first" '^HTTP/1.1 200' "the keep-alive connection was answered before the signal"
is "$idle_rc" 0 "the idle keep-alive connection is closed by the server"

for pid in "$login_pid" "${up_pids[@]}" "$dl_pid"; do
	wait "$pid"
done
wait "$lock_pid"
done_at=$(prod_now_ms)
prod_wait_exit

# --- Every request in flight completed ---------------------------------------

is "$(cat "$work/login.code")" 200 "login held up by the database: 200 after the signal"
is "$(header_of "$work/login.h" connection)" close "its answer says Connection: close"
token_after=$(jq -r .access_token "$work/login.body" 2>/dev/null)
like "$token_after" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' \
    "and carries a token"

for u in "${uploads[@]}"; do
	is "$(cat "$work/$u.code")" 201 "slow upload $u: 201 after the signal"
	is "$(header_of "$work/$u.h" connection)" close \
	    "slow upload $u: Connection: close"
	is "$(jq -r .sha256 "$work/$u.body" 2>/dev/null)" "$(sha_of "$work/$u.png")" \
	    "slow upload $u: stored whole (sha256)"
	id=$(jq -r .id "$work/$u.body" 2>/dev/null)
	if [ -n "$id" ] && [ "$id" != null ]; then
		made_ids+=("$id")
	fi
done

is "$(cat "$work/dl.code")" 200 "slow download: 200"
is "$(stat -c %s "$work/dl.bin")" "$DOWNLOAD_BYTES" "slow download: every byte"
is "$(sha_of "$work/dl.bin")" "$big_sha" "slow download: the right bytes (sha256)"
is "$(cat "$work/dl.err")" "" "slow download: no transfer error"

# --- The parent's exit -------------------------------------------------------

is "$PROD_STATUS" 0 "kore's parent exits 0"
ok "$([ "$PROD_STATUS" != hung ] && [ "$PROD_STOP_MS" -lt "$DRAIN_LIMIT_MS" ] &&
    echo 0 || echo 1)" "kore's parent exits within 30 s of SIGTERM"
diag "drain: kore's parent exited ${PROD_STOP_MS} ms after SIGTERM; the last" \
    "client finished $((done_at - signal_at)) ms after it (bytes already" \
    "handed to the kernel still arrive after the exit)"
grep -q 'event=drain_started' "$PROD_OUT"
ok $? "the workers logged the start of the drain"
grep -q 'event=drain_timeout' "$PROD_OUT" "$PROD_ERR"
isnt $? 0 "no worker gave up on a request (no drain_timeout)"
grep -hE 'event=drain_(started|done)' "$PROD_OUT" | sed 's/^/  /' |
    while IFS= read -r l; do diag "$l"; done
crashes=$(grep -E 'exited with status|gone\]' "$PROD_OUT")
is "$crashes" "" "no worker crashed"

done_testing
