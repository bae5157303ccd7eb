#!/usr/bin/env bash
# Build the production image and check it against the container contract
# (../shared/seed/production-container-contract.md):
#
#   - it builds, tagged reactbin-api-prod:latest and :<git sha>
#   - the running container answers /api/v1/health, and Docker's
#     HEALTHCHECK reports it healthy
#   - it runs as UID/GID 1001 with kore as PID 1
#   - access lines go to stdout (docker logs), nothing info-level to stderr
#   - it runs with --read-only and no tmpfs, and writes nothing (docker diff)
#   - no layer, history entry or image setting holds a secret, even with a
#     .env and a key file planted in the build context
#   - without a required variable it exits non-zero, naming the variable
#   - docker stop (SIGTERM) lets a request in flight finish, and the
#     container exits 0 within 30 s
#   - a source-only change rebuilds from the cached dependency layer
#
# Usage: tests/build/verify_production_image.sh
#
# Needs a Docker engine that can pull debian:bookworm-slim and reach
# github.com (the build compiles Kore 4.3.0-rc5), and host networking
# (Linux): the container reaches PostgreSQL and S3 on 127.0.0.1 and listens
# on 127.0.0.1:8000. Without DATABASE_URL / S3_ENDPOINT_URL it starts the
# project's throwaway servers (tests/lib/pg.sh, tests/lib/s3.sh).
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
START_WAIT_SECONDS=60
# The first HEALTHCHECK runs one interval (30 s) after the start.
HEALTHY_WAIT_SECONDS=75
STOP_LIMIT_SECONDS=30
EXIT_WAIT_SECONDS=30
EXIT_SKIP=77
EXIT_PREREQ=2

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
for tool in curl git tar; do
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
REQUIRED=(JWT_SECRET_KEY OWNER_USERNAME OWNER_PASSWORD DATABASE_URL
    S3_ENDPOINT_URL S3_BUCKET_NAME S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY
    S3_REGION)

# docker_env [SKIP]: -e NAME for every required variable except SKIP (the
# values travel in the environment, not on the command line).
docker_env() {
	local v
	for v in "${REQUIRED[@]}"; do
		[ "$v" = "${1:-}" ] || printf -- '-e\n%s\n' "$v"
	done
}
mapfile -t ENV_ARGS < <(docker_env)

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
diag "builder: $builder; image $IMAGE:latest and $IMAGE:$sha"

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

# --- Secret-free image -------------------------------------------------------

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
is "$(docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$IMAGE:$sha" |
    grep -cE '^(JWT_|OWNER_|DATABASE_URL|S3_)')" 0 \
    "the image sets none of the contract's variables"
is "$(docker inspect -f '{{.Config.User}}' "$IMAGE:$sha")" 1001:1001 "the image's user is 1001:1001"

# --- Running, read-only ------------------------------------------------------

name="reactbin-verify-$$"
containers+=("$name")
docker run -d --name "$name" --network host --read-only "${ENV_ARGS[@]}" \
    "$IMAGE:$sha" >/dev/null
ok $? "docker run --read-only (no tmpfs) starts the container"

up=1
for _ in $(seq 1 $((START_WAIT_SECONDS * 10))); do
	if curl -fs -o /dev/null "http://127.0.0.1:$PORT/api/v1/health"; then
		up=0
		break
	fi
	[ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" = true ] || break
	sleep 0.1
done
ok "$up" "GET /api/v1/health answers 2xx"
if [ "$up" -ne 0 ]; then
	docker logs "$name" 2>&1 | tail -n 30 | sed 's/^/# /'
	echo "Bail out! the container did not come up"
	exit 1
fi
body=$(curl -s "http://127.0.0.1:$PORT/api/v1/health")
is "$body" '{"status":"ok"}' 'health says {"status":"ok"}'

is "$(docker exec "$name" id -u)" 1001 "the process user is UID 1001"
is "$(docker exec "$name" id -g)" 1001 "the process group is GID 1001"
is "$(docker exec "$name" cat /proc/1/comm)" kore "kore is PID 1 (gets SIGTERM directly)"
is "$(docker exec "$name" awk '$1 == "Uid:" { print $2, $3 }' /proc/1/status)" \
    "1001 1001" "PID 1 runs as 1001"
docker exec "$name" sh -c 'touch /app/probe' >/dev/null 2>&1
isnt $? 0 "the root filesystem is read-only"

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
leaks=0
for s in "${secrets[@]}"; do
	grep -qF -- "$s" "$work/stdout" "$work/stderr" && leaks=$((leaks + 1))
done
is "$leaks" 0 "no secret in the logs"

# --- docker stop: drain and exit 0 -------------------------------------------

# A request in flight when SIGTERM comes: a 1 MB body sent at 200 kB/s.
head -c 1000000 /dev/urandom >"$work/slow.bin"
token=$(curl -s -H 'content-type: application/json' \
    -d "{\"username\":\"$OWNER_USERNAME\",\"password\":\"$OWNER_PASSWORD\"}" \
    "http://127.0.0.1:$PORT/api/v1/auth/login" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
curl -sS --limit-rate 200k -o /dev/null -D "$work/slow.h" -w '%{http_code}' \
    -H "Authorization: Bearer $token" -H 'content-type: image/png' \
    --data-binary "@$work/slow.bin" "http://127.0.0.1:$PORT/api/v1/reactions" \
    >"$work/slow.code" 2>/dev/null &
slow=$!
sleep 1
start=$(date +%s%N)
docker stop -t "$STOP_LIMIT_SECONDS" "$name" >/dev/null
stop_ms=$((($(date +%s%N) - start) / 1000000))
wait "$slow"
code=$(cat "$work/slow.code")
like "$code" '^[1-5][0-9][0-9]$' "the upload in flight got its answer ($code) after SIGTERM"
like "$(tr -d '\r' <"$work/slow.h" | grep -i '^connection:')" '[Cc]lose' \
    "that answer says Connection: close"
is "$(docker inspect -f '{{.State.ExitCode}}' "$name")" 0 "the container exits 0 on SIGTERM"
ok "$([ "$stop_ms" -lt $((STOP_LIMIT_SECONDS * 1000)) ] && echo 0 || echo 1)" \
    "docker stop returns within ${STOP_LIMIT_SECONDS} s (${stop_ms} ms)"
is "$(docker diff "$name" | wc -l | tr -d ' ')" 0 "docker diff: the container wrote no file"

# --- Missing variables -------------------------------------------------------

for v in JWT_SECRET_KEY DATABASE_URL S3_BUCKET_NAME; do
	mapfile -t args < <(docker_env "$v")
	cname="reactbin-verify-$$-no-$v"
	containers+=("$cname")
	docker run -d --name "$cname" --network host --read-only "${args[@]}" \
	    "$IMAGE:$sha" >/dev/null
	code=$(timeout "$EXIT_WAIT_SECONDS" docker wait "$cname" 2>/dev/null)
	isnt "${code:-0}" 0 "without $v: the container exits non-zero (${code:-timeout})"
	docker logs "$cname" 2>&1 >/dev/null | grep -q "$v"
	ok $? "without $v: stderr names it"
done

# --- Cache: a source-only change reuses the dependency layer -----------------

echo "/* cache probe $$ */" >>"$ctx/src/health.c"
"${BUILD[@]}" -t "$IMAGE:verify-cache-$$" --build-arg "REVISION=$sha" "$ctx" \
    >"$work/build2.log" 2>&1
ok $? "rebuild after a source-only change succeeds"

# cached_step PATTERN: was the step whose instruction matches PATTERN
# taken from the cache in the second build?
cached_step() {
	if [ "$builder" = buildkit ]; then
		local id
		id=$(grep -E "^#[0-9]+ \[build +[0-9]+/[0-9]+\] $1" "$work/build2.log" |
		    head -n 1 | cut -d' ' -f1)
		[ -n "$id" ] && grep -qx "$id CACHED" "$work/build2.log"
	else
		awk -v re="^Step [0-9]+/[0-9]+ : $1" \
		    'found { print; exit } $0 ~ re { found = 1 }' \
		    "$work/build2.log" | grep -q 'Using cache'
	fi
}
cached_step 'RUN .*apt-get install'
ok $? "the -dev package layer is CACHED on the rebuild"
cached_step 'RUN git .*clone'
ok $? "the Kore build layer is CACHED on the rebuild"
cached_step 'RUN .*kodev build'
isnt $? 0 "the module itself is rebuilt"

done_testing
