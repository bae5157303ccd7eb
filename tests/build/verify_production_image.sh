#!/usr/bin/env bash
# Build the production image and check it against the container contract
# (../shared/seed/production-container-contract.md), item by item:
#
#   - tags: one image, tagged reactbin-api-prod:latest and :<git sha>, its
#     revision label that sha
#   - base: its kore is the very binary of the Kore image KORE_IMAGE names
#   - network: HTTP/1.1 on port 8000, bound to 0.0.0.0, EXPOSE 8000
#   - health: GET /api/v1/health is 200 {"status":"ok"}; the HEALTHCHECK is
#     that endpoint every 30 s, timeout 5 s, start period 10 s, 3 retries,
#     and Docker reports the container healthy
#   - variables: the image sets none; the nine required ones come from the
#     environment, the optional ones have the contract's defaults
#     (JWT_EXPIRY_SECONDS 86400, MAX_UPLOAD_BYTES 52428800,
#     LOGIN_MAX_FAILURES 5, LOGIN_COOLDOWN_SECONDS 900, no trusted proxy)
#     and are read at run time; API_BASE_URL is not needed
#   - fail-fast: without any one required variable it exits non-zero and
#     names that variable on stderr
#   - SIGTERM (docker stop): a new connection is refused at once, an upload
#     in flight completes (201, Connection: close), exit 0 within 30 s
#   - identity: appuser, UID/GID 1001, kore as PID 1; WORKDIR /app
#   - filesystem: runs with --read-only and no tmpfs, writes nothing
#     (docker diff), and no layer, history entry or image setting holds a
#     secret, even with a .env and a key file planted in the build context
#   - logs: access lines on stdout (docker logs), stderr holds warnings and
#     errors only, stdout none, no secret in either
#   - cache: a source-only change rebuilds the module and reuses the -dev
#     packages layer (and the runtime stage's packages layer, before the
#     new module is copied in)
#
# Usage: [KORE_IMAGE=IMAGE] [BUILD_NETWORK=host] [BUILD_CA_FILE=PEM] \
#            tests/build/verify_production_image.sh
#
#   KORE_IMAGE     the Kore 4.3 development image the build starts from,
#                  passed as --build-arg KORE_IMAGE (default: the
#                  Dockerfile's, kore/kodev:4.3.0-rc5-bookworm)
#   BUILD_NETWORK  passed to docker build as --network (e.g. host, where
#                  the engine's default build network has no way out)
#   BUILD_CA_FILE  a CA certificate (PEM) for the build stage's npm, where
#                  a TLS-inspecting proxy stands between it and the
#                  registry: passed as --build-arg BUILD_CA_PEM
#
# Needs a Docker engine that has or can pull that Kore image and
# debian:bookworm-slim, a Debian mirror reachable from the build (both
# stages apt-get install their packages; the build compiles the module
# only, never Kore), host networking (Linux): the container reaches
# PostgreSQL and S3 on 127.0.0.1 and listens on 127.0.0.1:8000, and
# ImageMagick's convert (a valid PNG for the upload in flight). Without
# DATABASE_URL / S3_ENDPOINT_URL it starts the project's throwaway servers
# (tests/lib/pg.sh, tests/lib/s3.sh); the lock check then runs too (with
# your own DATABASE_URL it is skipped: the lock on 127.0.0.1 it leaves
# would outlive the run).
#
# Exit status: 0 all checks passed, 1 a check failed, 2 a prerequisite is
# missing, 77 no usable Docker engine (skipped: nothing was verified).
# Not run by tests/run; tests/static/dockerfile.t checks the Dockerfile
# without Docker, and tests/contract/ the process without Docker.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh

IMAGE=reactbin-api-prod
PORT=8000
# 8000 as /proc/net/tcp writes it (hex), and its LISTEN state.
PORT_HEX=1F40
TCP_LISTEN=0A
START_WAIT_SECONDS=60
# The first HEALTHCHECK runs one interval (30 s) after the start.
HEALTHY_WAIT_SECONDS=75
STOP_LIMIT_SECONDS=30
EXIT_WAIT_SECONDS=30
EXIT_SKIP=77
EXIT_PREREQ=2
# curl's exit status for "could not connect".
CURL_REFUSED=7
PROBE_TIMEOUT_SECONDS=5

# The contract's optional variables and their defaults.
JWT_EXPIRY_DEFAULT=86400
MAX_UPLOAD_DEFAULT=52428800
LOGIN_FAILURES_DEFAULT=5
LOGIN_WINDOW_DEFAULT=300
LOGIN_COOLDOWN_DEFAULT=900
# The values the override container runs with, to show they are read.
JWT_EXPIRY_OVERRIDE=120
MAX_UPLOAD_OVERRIDE=1000

if ! command -v docker >/dev/null; then
	echo "SKIP: no docker command; nothing was verified" >&2
	exit "$EXIT_SKIP"
fi
if ! info=$(docker info 2>&1); then
	echo "SKIP: docker info failed, no usable Docker engine; nothing was verified:" >&2
	while IFS= read -r line; do
		echo "  $line"
	done <<<"$info" >&2
	exit "$EXIT_SKIP"
fi
for tool in curl git tar convert sha256sum; do
	command -v "$tool" >/dev/null ||
	    { echo "verify: needs $tool" >&2; exit "$EXIT_PREREQ"; }
done
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
	echo "verify: port $PORT is in use on this host; free it first" >&2
	exit "$EXIT_PREREQ"
fi

sha=$(git rev-parse HEAD) || exit "$EXIT_PREREQ"
work=$(mktemp -d /tmp/reactbin-verify.XXXXXX) || exit "$EXIT_PREREQ"
containers=()
started_pg=
started_s3=

cleanup() {
	local c
	for c in "${containers[@]}"; do
		docker rm -f "$c" >/dev/null 2>&1 || true
	done
	docker rmi "$IMAGE:verify-cache-$$" >/dev/null 2>&1 || true
	if [ -n "$started_s3" ]; then
		tests/lib/s3.sh stop "$work/s3" >/dev/null 2>&1 || true
	fi
	if [ -n "$started_pg" ]; then
		tests/lib/pg.sh stop "$work/pg" >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

rand() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }
sha_of() { sha256sum "$1" | cut -d' ' -f1; }
# json_string KEY / json_number KEY: a top-level value from JSON on stdin.
json_string() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
json_number() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
# header_of FILE NAME: a header's value from a curl -D dump.
header_of() {
	tr -d '\r' <"$1" | awk -F': ' -v n="$2" 'tolower($1) == n { print $2; exit }'
}

# --- Dependencies on 127.0.0.1 -----------------------------------------------

if [ -z "${DATABASE_URL:-}" ]; then
	tests/lib/pg.sh start "$work/pg" >/dev/null ||
	    { echo "verify: could not start PostgreSQL (tests/lib/pg.sh)" >&2; exit "$EXIT_PREREQ"; }
	started_pg=1
	# shellcheck disable=SC1091
	. "$work/pg/env"
fi
if [ -z "${S3_ENDPOINT_URL:-}" ]; then
	tests/lib/s3.sh start "$work/s3" >/dev/null ||
	    { echo "verify: could not start the S3 server (tests/lib/s3.sh)" >&2; exit "$EXIT_PREREQ"; }
	started_s3=1
	# shellcheck disable=SC1091
	. "$work/s3/env"
fi

# The secrets of this run: none of them may end up in the image.
OWNER_USERNAME=owner
OWNER_PASSWORD="verify-pw-$(rand)"
JWT_SECRET_KEY="verify-jwt-$(rand)$(rand)"
export OWNER_USERNAME OWNER_PASSWORD JWT_SECRET_KEY DATABASE_URL \
    S3_ENDPOINT_URL S3_BUCKET_NAME S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY S3_REGION
db_password=$(sed -n 's|^[a-z+]*://[^:/@]*:\([^@]*\)@.*$|\1|p' <<<"$DATABASE_URL")
secrets=("$OWNER_PASSWORD" "$JWT_SECRET_KEY" "$S3_SECRET_ACCESS_KEY")
[ -n "$db_password" ] && secrets+=("$db_password")
# The contract's required variables, in its table's order.
REQUIRED=(JWT_SECRET_KEY OWNER_USERNAME OWNER_PASSWORD DATABASE_URL
    S3_ENDPOINT_URL S3_BUCKET_NAME S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY
    S3_REGION)
CONTRACT_VARS='JWT_SECRET_KEY|OWNER_USERNAME|OWNER_PASSWORD|DATABASE_URL|S3_ENDPOINT_URL|S3_BUCKET_NAME|S3_ACCESS_KEY_ID|S3_SECRET_ACCESS_KEY|S3_REGION|JWT_EXPIRY_SECONDS|MAX_UPLOAD_BYTES|LOGIN_MAX_FAILURES|LOGIN_WINDOW_SECONDS|LOGIN_COOLDOWN_SECONDS|LOGIN_TRUSTED_PROXY_IPS|API_BASE_URL'

# docker_env [SKIP]: -e NAME for every required variable except SKIP (the
# values travel in the environment, not on the command line). No optional
# variable is passed: the image must run on their defaults.
docker_env() {
	local v
	for v in "${REQUIRED[@]}"; do
		[ "$v" = "${1:-}" ] || printf -- '-e\n%s\n' "$v"
	done
}
mapfile -t ENV_ARGS < <(docker_env)

# wait_up NAME: until the health endpoint answers, or NAME stops running.
wait_up() {
	local i
	for ((i = 0; i < START_WAIT_SECONDS * 10; i++)); do
		curl -fs -o /dev/null "http://127.0.0.1:$PORT/api/v1/health" && return 0
		[ "$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ] ||
		    return 1
		sleep 0.1
	done
	return 1
}

# login [PASSWORD]: POST /api/v1/auth/login; the body on stdout, the status
# in $work/login.code, the headers in $work/login.h.
login() {
	curl -s -D "$work/login.h" -w '%{http_code}' -o "$work/login.body" \
	    -H 'content-type: application/json' "${@:2}" \
	    -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"${1:-$OWNER_PASSWORD}\"}" \
	    "http://127.0.0.1:$PORT/api/v1/auth/login" >"$work/login.code"
	cat "$work/login.body"
}

# upload_status TOKEN FILE: the status of a raw-body upload of FILE.
upload_status() {
	curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" \
	    -H 'content-type: application/octet-stream' --data-binary "@$2" \
	    "http://127.0.0.1:$PORT/api/v1/reactions"
}

# --- Build, from a copy of the working tree with secrets planted -------------

# What git tracks or would track, plus a .env and a key file holding this
# run's secrets: .dockerignore must keep them out of every layer.
ctx="$work/context"
mkdir -p "$ctx"
git ls-files -z --cached --others --exclude-standard |
    tar -C "$top" --null -T - -cf - 2>/dev/null | tar -C "$ctx" -xf -
{
	echo "JWT_SECRET_KEY=$JWT_SECRET_KEY"
	echo "OWNER_PASSWORD=$OWNER_PASSWORD"
	echo "S3_SECRET_ACCESS_KEY=$S3_SECRET_ACCESS_KEY"
	echo "DATABASE_URL=$DATABASE_URL"
} >"$ctx/.env"
mkdir -p "$ctx/cert"
echo "$JWT_SECRET_KEY" >"$ctx/cert/key.pem"

if docker buildx version >/dev/null 2>&1; then
	BUILD=(env DOCKER_BUILDKIT=1 docker build --progress=plain)
	builder=buildkit
else
	BUILD=(env DOCKER_BUILDKIT=0 docker build)
	builder=legacy
fi
if [ -n "${BUILD_NETWORK:-}" ]; then
	BUILD+=(--network "$BUILD_NETWORK")
fi
if [ -n "${KORE_IMAGE:-}" ]; then
	BUILD+=(--build-arg "KORE_IMAGE=$KORE_IMAGE")
fi
# A TLS-inspecting proxy between the build and npm's registry: its CA.
if [ -n "${BUILD_CA_FILE:-}" ]; then
	BUILD+=(--build-arg "BUILD_CA_PEM=$(cat "$BUILD_CA_FILE")")
fi
kore_image=${KORE_IMAGE:-"the Dockerfile's default"}
diag "builder: $builder; Kore image: $kore_image;" \
    "image $IMAGE:latest and $IMAGE:$sha"

start=$(date +%s)
"${BUILD[@]}" -t "$IMAGE:latest" -t "$IMAGE:$sha" \
    --build-arg "REVISION=$sha" --build-arg "VERSION=$sha" "$ctx" \
    >"$work/build1.log" 2>&1
status=$?
ok "$status" "docker build succeeds ($(($(date +%s) - start)) s)"
if [ "$status" -ne 0 ]; then
	tail -n 40 "$work/build1.log" | sed 's/^/# /'
	echo "Bail out! the image did not build"
	exit 1
fi

# --- Tags ---------------------------------------------------------------------

latest_id=$(docker image inspect -f '{{.Id}}' "$IMAGE:latest" 2>/dev/null)
sha_id=$(docker image inspect -f '{{.Id}}' "$IMAGE:$sha" 2>/dev/null)
ok "$([ -n "$sha_id" ] && [ "$latest_id" = "$sha_id" ] && echo 0 || echo 1)" \
    "$IMAGE:latest and $IMAGE:<git sha> are one image"
is "$(docker inspect -f '{{index .Config.Labels "org.opencontainers.image.revision"}}' \
    "$IMAGE:$sha")" "$sha" "its revision label is the commit"

# --- The Kore image it was built from ----------------------------------------

# KORE_IMAGE, or the default of the Dockerfile's ARG KORE_IMAGE: the runtime
# stage's kore must be that image's very binary (the module's headers are
# its), so a deployer's --build-arg KORE_IMAGE is what the image runs.
kore_ref=${KORE_IMAGE:-$(sed -n 's/^ARG KORE_IMAGE=//p' "$ctx/Dockerfile" | tr -d "\"'")}
base_kore=
image_kore=
if [ -n "$kore_ref" ]; then
	base_kore=$(docker run --rm --network none --entrypoint sha256sum \
	    "$kore_ref" /usr/local/bin/kore 2>/dev/null | cut -d' ' -f1)
	image_kore=$(docker run --rm --network none --entrypoint sha256sum \
	    "$IMAGE:$sha" /usr/local/bin/kore 2>/dev/null | cut -d' ' -f1)
else
	diag "the Dockerfile has no ARG KORE_IMAGE with a default"
fi
ok "$([ -n "$base_kore" ] && [ "$base_kore" = "$image_kore" ] && echo 0 || echo 1)" \
    "the image's kore is that of the Kore image ${kore_ref:-(none named)} (sha256)"

# --- Image settings, secret-free ---------------------------------------------

docker history --no-trunc "$IMAGE:$sha" >"$work/history" 2>&1
docker inspect "$IMAGE:$sha" >"$work/inspect" 2>&1
mkdir -p "$work/saved"
docker save "$IMAGE:$sha" | tar -C "$work/saved" -xf -
leaks=0
for s in "${secrets[@]}"; do
	if grep -qF -- "$s" "$work/history" "$work/inspect" ||
	    grep -rqaF -- "$s" "$work/saved"; then
		leaks=$((leaks + 1))
	fi
done
is "$leaks" 0 "no test secret in docker history, docker inspect or any layer"
rm -rf "$work/saved"
is "$(docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$IMAGE:$sha" |
    grep -cE "^($CONTRACT_VARS)=")" 0 \
    "the image sets none of the contract's variables (defaults are the service's)"
is "$(docker inspect -f '{{.Config.User}}' "$IMAGE:$sha")" 1001:1001 "the image's user is 1001:1001"
is "$(docker inspect -f '{{.Config.WorkingDir}}' "$IMAGE:$sha")" /app "the working directory is /app"
is "$(docker inspect -f '{{range $p, $v := .Config.ExposedPorts}}{{$p}} {{end}}' "$IMAGE:$sha")" \
    "$PORT/tcp " "the image exposes $PORT/tcp only"
is "$(docker inspect -f '{{with .Config.Healthcheck}}{{.Interval}} {{.Timeout}} {{.StartPeriod}} {{.Retries}}{{end}}' \
    "$IMAGE:$sha")" "30s 5s 10s 3" \
    "HEALTHCHECK: interval 30s, timeout 5s, start period 10s, 3 retries"
like "$(docker inspect -f '{{with .Config.Healthcheck}}{{join .Test " "}}{{end}}' "$IMAGE:$sha")" \
    "^CMD .*http://(127\.0\.0\.1|localhost):$PORT/api/v1/health( |$)" \
    "HEALTHCHECK asks /api/v1/health on port $PORT"
is "$(docker inspect -f '{{.Config.StopSignal}}' "$IMAGE:$sha")" SIGTERM "the stop signal is SIGTERM"

# --- Running, read-only, on the defaults -------------------------------------

name="reactbin-verify-$$"
containers+=("$name")
docker run -d --name "$name" --network host --read-only "${ENV_ARGS[@]}" \
    "$IMAGE:$sha" >/dev/null
ok $? "docker run --read-only (no tmpfs, no optional variable) starts the container"

wait_up "$name"
up=$?
ok "$up" "GET /api/v1/health answers 2xx"
if [ "$up" -ne 0 ]; then
	docker logs "$name" 2>&1 | tail -n 30 | sed 's/^/# /'
	echo "Bail out! the container did not come up"
	exit 1
fi
health=$(curl -s -w ' %{http_code} HTTP/%{http_version}' \
    "http://127.0.0.1:$PORT/api/v1/health")
is "$health" '{"status":"ok"} 200 HTTP/1.1' 'health: 200 {"status":"ok"} over HTTP/1.1'
# The container shares the host's network: its listening socket is in the
# host's table, bound to 0.0.0.0:8000 (not 127.0.0.1 only).
bound=$(docker exec "$name" awk -v a="00000000:$PORT_HEX" -v l="$TCP_LISTEN" \
    '$2 == a && $4 == l { n++ } END { print n + 0 }' /proc/net/tcp)
ok "$([ "${bound:-0}" -ge 1 ] && echo 0 || echo 1)" "it listens on 0.0.0.0:$PORT"

is "$(docker exec "$name" id -u)" 1001 "the process user is UID 1001"
is "$(docker exec "$name" id -g)" 1001 "the process group is GID 1001"
is "$(docker exec "$name" id -un):$(docker exec "$name" id -gn)" appuser:appuser \
    "user and group are named appuser"
is "$(docker exec "$name" cat /proc/1/comm)" kore "kore is PID 1 (gets SIGTERM directly)"
is "$(docker exec "$name" awk '$1 == "Uid:" || $1 == "Gid:" { printf "%s %s ", $2, $3 }' /proc/1/status)" \
    "1001 1001 1001 1001 " "PID 1 runs as 1001:1001"
docker exec "$name" test -f /app/reactbin.so -a -f /app/kore.conf
ok $? "the application is in /app (reactbin.so, kore.conf)"
writable=
for d in /app / /tmp; do
	docker exec "$name" sh -c "touch $d/verify-probe" >/dev/null 2>&1 &&
	    writable="$writable $d"
done
is "$writable" "" "the root filesystem is read-only (/app, / and /tmp)"

# The optional variables' defaults, as the service shows them.
token=$(login | json_string access_token)
is "$(cat "$work/login.code") $(json_number expires_in <"$work/login.body")" \
    "200 $JWT_EXPIRY_DEFAULT" "default JWT_EXPIRY_SECONDS: a token lasts $JWT_EXPIRY_DEFAULT s"
head -c "$MAX_UPLOAD_DEFAULT" /dev/zero >"$work/max.bin"
at_max=$(upload_status "$token" "$work/max.bin")
head -c 1 /dev/zero >>"$work/max.bin"
over_max=$(upload_status "$token" "$work/max.bin")
rm -f "$work/max.bin"
is "$at_max $over_max" "415 413" \
    "default MAX_UPLOAD_BYTES: $MAX_UPLOAD_DEFAULT bytes are read (415, not a medium), one more is 413"

healthy=
for _ in $(seq 1 "$HEALTHY_WAIT_SECONDS"); do
	healthy=$(docker inspect -f '{{.State.Health.Status}}' "$name" 2>/dev/null)
	[ "$healthy" = starting ] || break
	sleep 1
done
is "$healthy" healthy "Docker's HEALTHCHECK reports the container healthy"

docker logs "$name" >"$work/stdout" 2>"$work/stderr"
grep -q 'event=access method=GET path=/api/v1/health status=200' "$work/stdout"
ok $? "docker logs (stdout) shows the access line"
grep -q 'event=access' "$work/stderr"
isnt $? 0 "no access line on stderr"
info_on_err=$(grep -v -E '(^| )level=(warning|error) ' "$work/stderr")
is "$info_on_err" "" "stderr holds warnings and errors only"
err_on_out=$(grep -E '(^| )level=(warning|error) ' "$work/stdout")
is "$err_on_out" "" "stdout holds no warning or error"
leaks=0
for s in "${secrets[@]}"; do
	grep -qF -- "$s" "$work/stdout" "$work/stderr" && leaks=$((leaks + 1))
done
is "$leaks" 0 "no secret in the logs"

# --- docker stop: refuse new connections, drain, exit 0 ----------------------

# An upload in flight when SIGTERM comes: a ~1 MB valid PNG of random
# pixels, sent at 200 kB/s (about five seconds).
convert -size 600x560 xc: +noise Random -depth 8 "$work/slow.png" ||
    { echo "Bail out! convert could not make a PNG"; exit 1; }
curl -sS --limit-rate 200k -o "$work/slow.body" -D "$work/slow.h" -w '%{http_code}' \
    -H "Authorization: Bearer $token" -H 'content-type: image/png' \
    --data-binary "@$work/slow.png" "http://127.0.0.1:$PORT/api/v1/reactions" \
    >"$work/slow.code" 2>/dev/null &
slow=$!
sleep 1
start=$(date +%s%N)
docker stop -t "$STOP_LIMIT_SECONDS" "$name" >/dev/null &
stopper=$!
sleep 1
# A new connection while the upload is still in flight (so still draining).
curl -s -o /dev/null --max-time "$PROBE_TIMEOUT_SECONDS" \
    "http://127.0.0.1:$PORT/api/v1/health"
new_rc=$?
in_flight=no
kill -0 "$slow" 2>/dev/null && in_flight=yes
is "$new_rc in flight: $in_flight" "$CURL_REFUSED in flight: yes" \
    "during the drain a new connection is refused (curl exit $CURL_REFUSED)"
wait "$stopper"
stop_ms=$((($(date +%s%N) - start) / 1000000))
wait "$slow"
is "$(cat "$work/slow.code")" 201 "the upload in flight completed (201) after SIGTERM"
like "$(header_of "$work/slow.h" connection)" '^[Cc]lose$' "that answer says Connection: close"
is "$(json_string sha256 <"$work/slow.body")" "$(sha_of "$work/slow.png")" \
    "that upload was stored whole (sha256)"
is "$(docker inspect -f '{{.State.ExitCode}}' "$name")" 0 "the container exits 0 on SIGTERM"
ok "$([ "$stop_ms" -lt $((STOP_LIMIT_SECONDS * 1000)) ] && echo 0 || echo 1)" \
    "docker stop returns within ${STOP_LIMIT_SECONDS} s (${stop_ms} ms)"
is "$(docker diff "$name" | wc -l | tr -d ' ')" 0 "docker diff: the container wrote no file"

# --- Optional variables: read at run time; the lock's defaults ---------------

oname="reactbin-verify-$$-optional"
containers+=("$oname")
JWT_EXPIRY_SECONDS=$JWT_EXPIRY_OVERRIDE MAX_UPLOAD_BYTES=$MAX_UPLOAD_OVERRIDE \
    docker run -d --name "$oname" --network host --read-only "${ENV_ARGS[@]}" \
    -e JWT_EXPIRY_SECONDS -e MAX_UPLOAD_BYTES "$IMAGE:$sha" >/dev/null
wait_up "$oname"
ok $? "with JWT_EXPIRY_SECONDS and MAX_UPLOAD_BYTES set, the container comes up"
otoken=$(login | json_string access_token)
is "$(json_number expires_in <"$work/login.body")" "$JWT_EXPIRY_OVERRIDE" \
    "JWT_EXPIRY_SECONDS=$JWT_EXPIRY_OVERRIDE: a token lasts $JWT_EXPIRY_OVERRIDE s"
head -c "$MAX_UPLOAD_OVERRIDE" /dev/zero >"$work/max.bin"
at_max=$(upload_status "$otoken" "$work/max.bin")
head -c 1 /dev/zero >>"$work/max.bin"
over_max=$(upload_status "$otoken" "$work/max.bin")
is "$at_max $over_max" "415 413" \
    "MAX_UPLOAD_BYTES=$MAX_UPLOAD_OVERRIDE: $MAX_UPLOAD_OVERRIDE bytes are read, one more is 413"

# The lock, on its defaults (LOGIN_* unset): LOGIN_MAX_FAILURES wrong
# passwords, each claiming another X-Forwarded-For (no proxy is trusted, so
# they all count against 127.0.0.1), lock it: the right password is then
# 429 with Retry-After the cooldown's, more than the window's 300 s. The
# lock lives in the database, so only a database of this run's own is used.
lock_name="default LOGIN_MAX_FAILURES, LOGIN_TRUSTED_PROXY_IPS, LOGIN_COOLDOWN_SECONDS:"
if [ -n "$started_pg" ]; then
	codes=
	for i in $(seq 1 "$LOGIN_FAILURES_DEFAULT"); do
		login "wrong-$i" -H "X-Forwarded-For: 203.0.113.$i" >/dev/null
		codes="$codes$(cat "$work/login.code") "
	done
	login "" -H "X-Forwarded-For: 203.0.113.99" >/dev/null
	codes="$codes$(cat "$work/login.code")"
	retry=$(header_of "$work/login.h" retry-after)
	is "$codes" "$(printf '401 %.0s' $(seq 1 "$LOGIN_FAILURES_DEFAULT"))429" \
	    "$lock_name $LOGIN_FAILURES_DEFAULT failures from 127.0.0.1 behind any X-Forwarded-For lock it"
	ok "$([[ $retry =~ ^[0-9]+$ ]] && [ "$retry" -gt "$LOGIN_WINDOW_DEFAULT" ] &&
	    [ "$retry" -le "$LOGIN_COOLDOWN_DEFAULT" ] && echo 0 || echo 1)" \
	    "$lock_name the lock lasts $LOGIN_COOLDOWN_DEFAULT s (Retry-After: $retry)"
else
	ok 0 "$lock_name # SKIP DATABASE_URL is not this run's own"
	ok 0 "$lock_name # SKIP DATABASE_URL is not this run's own"
fi
diag "the LOGIN_WINDOW_SECONDS default ($LOGIN_WINDOW_DEFAULT s) is not observed here:" \
    "that takes five minutes (tests/unit/test_config.c checks the default," \
    "tests/integration/30-lockout.t the window)"
docker stop -t "$STOP_LIMIT_SECONDS" "$oname" >/dev/null
is "$(docker inspect -f '{{.State.ExitCode}}' "$oname")" 0 "... and it exits 0 on SIGTERM"

# --- Missing variables: fail fast --------------------------------------------

for v in "${REQUIRED[@]}"; do
	mapfile -t args < <(docker_env "$v")
	cname="reactbin-verify-$$-no-$v"
	containers+=("$cname")
	docker run -d --name "$cname" --network host --read-only "${args[@]}" \
	    "$IMAGE:$sha" >/dev/null
	code=$(timeout "$EXIT_WAIT_SECONDS" docker wait "$cname" 2>/dev/null)
	isnt "${code:-0}" 0 "without $v: the container exits non-zero (${code:-timeout})"
	docker logs "$cname" >"$work/no.out" 2>"$work/no.err"
	ok "$(grep -qE "(^| )level=error .*$v" "$work/no.err" &&
	    ! grep -q "$v" "$work/no.out" && echo 0 || echo 1)" \
	    "without $v: an error line on stderr (not stdout) names it"
	docker rm -f "$cname" >/dev/null 2>&1
done

# --- Cache: a source-only change reuses the dependency layers ----------------

# A change to the code, not only a comment: the rebuilt reactbin.so
# differs, so the runtime stage copies a new module and the check that its
# packages layer still comes from the cache means something.
echo "const char verify_cache_probe[] = \"$$\";" >>"$ctx/src/health.c"
"${BUILD[@]}" -t "$IMAGE:verify-cache-$$" --build-arg "REVISION=$sha" "$ctx" \
    >"$work/build2.log" 2>&1
ok $? "rebuild after a source-only change succeeds"

# cached_step STAGE PATTERN: was the step of stage STAGE (its AS name) whose
# instruction matches PATTERN taken from the cache in the second build?
cached_step() {
	if [ "$builder" = buildkit ]; then
		local id
		id=$(grep -E "^#[0-9]+ \[$1 +[0-9]+/[0-9]+\] $2" "$work/build2.log" |
		    head -n 1 | cut -d' ' -f1)
		[ -n "$id" ] && grep -qx "$id CACHED" "$work/build2.log"
	else
		awk -v stage="$1" -v re="^Step [0-9]+/[0-9]+ : $2" '
			found { print; exit }
			/^Step [0-9]+\/[0-9]+ : FROM / {
				here = (tolower($0) ~ (" as " stage "$"))
				next
			}
			here && $0 ~ re { found = 1 }
		' "$work/build2.log" | grep -q 'Using cache'
	fi
}
cached_step build 'RUN .*apt-get install.*-dev'
ok $? "the build stage's -dev packages layer is CACHED on the rebuild"
cached_step runtime 'RUN .*apt-get install'
ok $? "the runtime stage's packages layer is CACHED on the rebuild"
cached_step build 'RUN .*kodev build'
isnt $? 0 "the module itself is rebuilt"
cached_step runtime 'COPY --from=build .*reactbin\.so'
isnt $? 0 "the runtime stage copies the new module"

done_testing
