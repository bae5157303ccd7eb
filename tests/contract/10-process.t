#!/usr/bin/env bash
# The container contract at the process level, without Docker: the
# production configuration, started as the image starts it, as UID/GID
# 1001, on a read-only filesystem with nothing writable (tests/contract/
# prod.sh). It answers health, runs as 1001 with no privilege, writes no
# file, logs access lines on stdout and warnings on stderr, and refuses to
# start without a required variable, naming it.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/http.sh
. "$here/../lib/http.sh"
# shellcheck source=tests/contract/prod.sh
. "$here/prod.sh"

prod_require
trap prod_cleanup EXIT
prod_user || { echo "Bail out! could not create UID/GID $PROD_UID"; exit 1; }

# A short key: the service must start and warn about it on stderr.
WEAK_KEY=short-key-16byte
secret_pw="pw-contract-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

# --- The sandbox is what the test claims it is -------------------------------

box=(bwrap --ro-bind / / --dev /dev --proc /proc --unshare-ipc --)
out=$("${box[@]}" touch "$PROD_ROOT/probe" 2>&1)
like "$out" 'Read-only file system' \
    "in the sandbox even root cannot write (the root is read-only)"
# shellcheck disable=SC2016 # the script's $1 and $HOME are the sandbox's
writable=$("${box[@]}" setpriv --reuid "$PROD_UID" --regid "$PROD_GID" \
    --clear-groups -- sh -c '
	for d in / /tmp /var/tmp /run /dev /dev/shm /app "$1" "$HOME"; do
		[ -d "$d" ] && [ -w "$d" ] && echo "$d"
	done' sh "$PROD_ROOT" 2>&1)
is "$writable" "" "in the sandbox UID $PROD_UID has no writable directory"

# --- Start, identity ---------------------------------------------------------

prod_start process "JWT_SECRET_KEY=$WEAK_KEY" "OWNER_PASSWORD=$secret_pw" ||
    { echo "Bail out! the production instance did not start"; exit 1; }

REACTBIN_URL=$PROD_URL
request GET /api/v1/health
is "$HTTP_STATUS" 200 "health answers 200 on the production configuration"
is "$(json .status)" ok 'health says {"status": "ok"}'
grep -q "^[[:space:]]*bind[[:space:]]*0\.0\.0\.0[[:space:]]" "$PROD_DIR/kore.conf"
ok $? "the production configuration binds 0.0.0.0"

workers=$(pgrep -P "$PROD_PID" | tr '\n' ' ')
is "$(echo "$workers" | wc -w)" "$(getconf _NPROCESSORS_ONLN)" \
    "one worker per CPU ($workers)"

# ids PID FIELD: the four ids on the Uid: or Gid: line of /proc/PID/status.
ids() { awk -v f="$2:" '$1 == f { print $2, $3, $4, $5 }' "/proc/$1/status"; }
for pid in "$PROD_PID" $workers; do
	is "$(ids "$pid" Uid)" "1001 1001 1001 1001" \
	    "process $pid: real, effective, saved and fs UID are 1001"
	is "$(ids "$pid" Gid)" "1001 1001 1001 1001" \
	    "process $pid: every GID is 1001"
	is "$(awk '$1 == "Groups:" { print $2 }' "/proc/$pid/status")" "" \
	    "process $pid: no supplementary groups"
	is "$(awk '$1 == "CapEff:" { print $2 }' "/proc/$pid/status")" \
	    0000000000000000 "process $pid: no effective capabilities"
done
is "$(ps -o user= -p "$PROD_PID" | tr -d ' ')" "$PROD_RUNAS" \
    "ps shows the parent as $PROD_RUNAS"

# --- Work that touches the database and storage ------------------------------

request GET /api/v1/ready
is "$HTTP_STATUS" 200 "ready: PostgreSQL and S3 reachable from the sandbox"
request POST /api/v1/auth/login -H 'content-type: application/json' \
    -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"$secret_pw\"}"
is "$HTTP_STATUS" 200 "the owner logs in"
token=$(json .access_token)
request GET /api/v1/auth/me -H "Authorization: Bearer $token"
is "$HTTP_STATUS" 200 "the token is accepted"
request POST /api/v1/auth/login -H 'content-type: application/json' \
    -d '{"username":"nobody","password":"wrong"}'
is "$HTTP_STATUS" 401 "a wrong password is 401 (a login_attempts row is written)"

if grep -q 'handler[[:space:]]*reaction_upload' "$PROD_DIR/kore.conf" &&
    command -v convert >/dev/null; then
	png="$PROD_ROOT/process.png"
	convert -size 64x48 xc: +noise Random -depth 8 "$png" 2>/dev/null
	request POST /api/v1/reactions -H "Authorization: Bearer $token" \
	    -H 'content-type: image/png' --data-binary "@$png"
	is "$HTTP_STATUS" 201 "an upload is stored (database and S3)"
	id=$(json .id)
	got=$(curl -sS -o "$png.got" -w '%{http_code}' \
	    "$PROD_URL/api/v1/reactions/$id/file")
	is "$got" 200 "and its file is served"
	cmp -s "$png" "$png.got"
	ok $? "byte for byte"
	request DELETE "/api/v1/reactions/$id" -H "Authorization: Bearer $token"
	is "$HTTP_STATUS" 204 "and it is deleted"
else
	diag "no upload route in kore.conf.in (or no ImageMagick): upload not exercised"
fi

# --- No file written ---------------------------------------------------------

# Nothing can be written in the sandbox; what matters is that the service
# never needed to: it holds no file open for writing besides its log
# streams, and it reported no failed write.
for pid in "$PROD_PID" $workers; do
	is "$(prod_writable_files "$pid")" "" \
	    "process $pid holds no regular file open for writing"
done

# Stop now: whatever the exit path tries to write shows up in the logs.
prod_stop TERM
is "$PROD_STATUS" 0 "SIGTERM: the instance exits 0"
problems=$(grep -hiE 'read-only file system|permission denied|EROFS|EACCES|cannot (open|create|write)|pidfile' \
    "$PROD_OUT" "$PROD_ERR")
is "$problems" "" "no failed write or permission problem in the logs"
diag "files written: none possible (read-only root); no write attempt logged"

# --- stdout and stderr -------------------------------------------------------

grep -q 'event=access method=GET path=/api/v1/health status=200' "$PROD_OUT"
ok $? "the access line is on stdout"
grep -q 'event=access' "$PROD_ERR"
isnt $? 0 "no access line on stderr"
grep -q 'level=warning .*JWT_SECRET_KEY' "$PROD_ERR"
ok $? "the short-key warning is on stderr"
info_on_err=$(grep -v -E '(^| )level=(warning|error) ' "$PROD_ERR")
is "$info_on_err" "" "stderr holds warnings and errors only"
warn_on_out=$(grep -E '(^| )level=(warning|error) ' "$PROD_OUT")
is "$warn_on_out" "" "stdout holds no warning or error line of ours"
leaks=$(grep -lF -e "$secret_pw" -e "$WEAK_KEY" -e "$S3_SECRET_ACCESS_KEY" \
    "$PROD_OUT" "$PROD_ERR")
is "$leaks" "" "no secret in stdout or stderr"

# --- A missing required variable stops start-up ------------------------------

for var in "${PROD_REQUIRED[@]}"; do
	prod_run "missing-$var" "-$var"
	isnt "$PROD_STATUS" 0 "without $var: exits non-zero ($PROD_STATUS)"
	isnt "$PROD_STATUS" hung "without $var: exits by itself"
	grep -q "$var" "$PROD_ERR"
	ok $? "without $var: stderr names it"
	grep -q 'event=access' "$PROD_OUT"
	isnt $? 0 "without $var: no request was served"
done

done_testing
